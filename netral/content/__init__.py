"""Content models, loading with line-accurate errors, and cross-file validation."""

from netral.content.crosscheck import cross_check, validate_content
from netral.content.loader import DEFAULT_CONTENT_DIR, Content, Problem, load_content

__all__ = ["DEFAULT_CONTENT_DIR", "Content", "Problem", "cross_check", "load_content", "validate_content"]
