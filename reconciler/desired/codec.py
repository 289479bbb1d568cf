"""Moved to reconciler.model.codec (the writer in aws/ needs it too); kept
as an alias while the tree migrates."""

from reconciler.model.codec import *  # noqa: F403
from reconciler.model.codec import _plain  # noqa: F401
