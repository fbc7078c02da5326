# A **kwargs pass-through to scope_lib.training_scope.
import scope_lib


def training_scope(**kwargs):
    return scope_lib.training_scope(**kwargs)
