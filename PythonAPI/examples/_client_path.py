"""Makes `import carla` work from this folder: an installed carla package, else the client in ../carla."""
import os
import sys

try:
    import carla  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
