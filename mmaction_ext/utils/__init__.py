from .env import describe_environment

__all__ = ['describe_environment']
