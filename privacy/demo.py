"""Demo data for privacy: a member asked to be erased, so the coordinator's "Erasure requests"
page has one to complete (completing it ends Eli's match with Lee, who is told, and closes the
account). Idempotent."""

from .models import ErasureRequest
from .services import erasure_request


def seed(ctx) -> None:
    eli = ctx.users["mentee_eli"]
    if not ErasureRequest.objects.filter(user=eli).exists():
        erasure_request(eli)
