"""Energy and PUE: meters, the energy ledger, figures with category and coverage."""
