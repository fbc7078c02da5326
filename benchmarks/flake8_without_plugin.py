"""Run flake8 exactly as installed, but with one distribution's plugins hidden.

flake8 has no switch that stops an installed extension plugin from running
(``--extend-ignore=BNU`` still imports, constructs and runs it, then drops its
results), so a "without the plugin" baseline needs the plugin to be invisible to
flake8's discovery.  This wrapper filters flake8's own entry-point discovery
(``flake8.plugins.finder._find_importlib_plugins``) so that the named
distribution is never found, never imported and never run.  Everything else --
interpreter, site-packages, flake8, pycodestyle, pyflakes, mccabe, options,
``-j`` process pool -- is the same as a plain ``flake8`` run.

Usage: python flake8_without_plugin.py DIST_NAME [flake8 args ...]
"""
import sys


def main(argv):
    hidden = argv[0].lower().replace("_", "-")
    from flake8.plugins import finder

    original = finder._find_importlib_plugins

    def _without_hidden():
        for plugin in original():
            if plugin.package.lower().replace("_", "-") != hidden:
                yield plugin

    finder._find_importlib_plugins = _without_hidden
    from flake8.main import cli

    return cli.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
