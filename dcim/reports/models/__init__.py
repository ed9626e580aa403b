from dcim.reports.models.delivery import Attempt, Delivery
from dcim.reports.models.subscription import Subscription

__all__ = ["Attempt", "Delivery", "Subscription"]
