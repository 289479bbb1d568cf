"""idc: GitOps for AWS IAM Identity Center."""

__version__ = "0.1.0"
