from .env import describe_environment
from .names import unknown_name_message

__all__ = ['describe_environment', 'unknown_name_message']
