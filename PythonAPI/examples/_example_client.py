"""What the example scripts share: `import carla` from this folder (an installed carla package, else the client
in ../carla), CARLA's connection flags, the client, and CARLA's closing line."""
import argparse
import os
import sys

try:
    import carla
except ImportError:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import carla


def argument_parser(description, **kwargs):
    """An argument parser with CARLA's --host and -p/--port flags."""
    parser = argparse.ArgumentParser(description=description, **kwargs)
    parser.add_argument('--host', metavar='H', default='127.0.0.1', help='IP of the host server (default: 127.0.0.1)')
    parser.add_argument('-p', '--port', metavar='P', default=2000, type=int, help='TCP port to listen to (default: 2000)')
    return parser


def connect(args, timeout=60.0):
    client = carla.Client(args.host, args.port)
    client.set_timeout(timeout)
    return client


def run(main, done_stream=None):
    """Run main() as CARLA's examples do: Ctrl+C ends it quietly, and 'done.' closes the output."""
    try:
        main()
    except KeyboardInterrupt:
        pass
    finally:
        print('\ndone.', file=done_stream or sys.stdout)
