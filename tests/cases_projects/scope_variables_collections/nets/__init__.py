# Two network modules, configured by the arg_scopes they open themselves.
