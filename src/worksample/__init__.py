"""worksample: a GitHub App that runs work-sample assignments for hiring."""

__version__ = "0.1.0"
