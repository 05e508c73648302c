"""vpcreach: a VPC policy linter and reachability analyzer for AWS."""
__version__ = "0.1.0"
