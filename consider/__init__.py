"""consider: engineering-considerations questionnaire and risk linter for product specs."""

__version__ = "0.1.0"
