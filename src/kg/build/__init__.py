"""Files to a validated, loaded store: parse, validate, load. Knows files; never renders."""

from kg.build.pipeline import BuildReport, build, collect, validate_inputs

__all__ = ["BuildReport", "build", "collect", "validate_inputs"]
