"""Reports: scheduled email reports (HTML with inline charts, PDF and CSV) over the figures
the other apps compute."""
