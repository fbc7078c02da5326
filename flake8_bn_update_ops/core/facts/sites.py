"""Batch-norm sites: which calls build a batch-norm layer, and what each one ends up with (its
training flag, the collection its update ops go to, whether it is frozen), read in the frame
the reach walk gives it or frameless for the module's own lexical sites.

A flag a call does not write comes from the module's arg_scopes (``arg_scopes.py``), or may
come from somewhere unseen (``Flag(unknown)``), or from nowhere (``Flag(missing)``).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from ... import tf_api
from ...tf_api import Family
from ..evaluate import Evaluator
from ..index import CallSite, ModuleIndex
from ..kinds import FlagState, Via
from ..values import Api, ApiCall, Arg, Args, Class, Const, Instance, Mapping, Partial, Sequence, Value, options
from .arg_scopes import ArgScopes
from .records import BatchNormSite, Flag

UPDATE_OPS = tf_api.UPDATE_OPS


def wrapper_apis(settings) -> Dict[str, tf_api.BatchNormApi]:
    """The project functions named by ``--bn-wrappers``, each a batch-norm API of its own."""
    return {tf_api.canonical(name): tf_api.BatchNormApi(name.rsplit(".", 1)[-1], Family.WRAPPER, flag, None, None,
                                                        False)
            for name, flag in settings.wrappers.items()}


class SiteReader:
    """Reads the batch-norm sites a call builds. Holds no answers of its own: every value
    question goes to the evaluator (and its one memo)."""

    def __init__(self, evaluator: Evaluator, wrappers: Dict[str, tf_api.BatchNormApi]):
        self.evaluator = evaluator
        self.resolver = evaluator.resolver
        self.wrapper_apis = wrappers
        # Read first of all: the resolver must know the defaults the arg_scopes give.
        self.scopes = ArgScopes(evaluator, self.known_api)

    def known_api(self, name: str):
        return tf_api.BATCH_NORM_APIS.get(name) or self.wrapper_apis.get(name)

    def sites_of_call(self, call: CallSite, frame=None) -> List[BatchNormSite]:
        """The batch-norm sites a call builds, read in ``frame``."""
        found: List[BatchNormSite] = []
        node = call.node
        resolver = self.resolver
        at = self.evaluator.at(call)
        callee = self.evaluator.callee(call, frame)
        for option in options(callee):
            kind = type(option)
            if kind is Api:
                api = tf_api.BATCH_NORM_APIS.get(option.name) or self.wrapper_apis.get(option.name)
                if api is None:
                    continue
                args = resolver.call_args(node, at, frame)
                if api.is_class:
                    via = Via.CONSTRUCTION
                    flag = Flag(FlagState.UNKNOWN)
                    if api.family == Family.KERAS:
                        found.append(BatchNormSite(call, api, option.name, flag, None, via, frame))
                    else:
                        found.append(BatchNormSite(call, api, option.name, flag, UPDATE_OPS, via, frame,
                                                   frozen=self._frozen(args)))
                    continue
                found.append(self._site(call, api, option.name, args, frame, Via.CALL))
            elif kind is Partial and type(option.target) is Api:
                api = tf_api.BATCH_NORM_APIS.get(option.target.name)
                if api is not None and not api.is_class:
                    args = option.args.then(resolver.call_args(node, at, frame))
                    found.append(self._site(call, api, option.target.name, args, frame, Via.CALL))
            elif kind is ApiCall and option.name in tf_api.BATCH_NORM_APIS:
                api = tf_api.BATCH_NORM_APIS[option.name]
                if api.is_class:
                    args = resolver.call_args(node, at, frame)
                    flag = self._flag_from_args(api, option.name, args, call, Via.INSTANCE)
                    collection = UPDATE_OPS if api.family != Family.KERAS else None
                    found.append(BatchNormSite(call, api, option.name, flag, collection, Via.INSTANCE, frame,
                                               frozen=self._frozen(option.args)))
            elif kind is Instance and self.evaluator.is_update_ops_subclass(option.cls):
                api = tf_api.TF_LAYERS_CLASS_API
                args = resolver.call_args(node, at, frame)
                flag = self._flag_from_args(api, "", args, call, Via.INSTANCE)
                found.append(BatchNormSite(call, api, option.cls.scope.name, flag, UPDATE_OPS, Via.INSTANCE, frame))
            elif kind is Class and self.evaluator.keras_bn_subclass(option):
                api = tf_api.KERAS_LAYER_API
                found.append(BatchNormSite(call, api, option.scope.name, Flag(FlagState.UNKNOWN), None,
                                           Via.CONSTRUCTION, frame))
            elif kind is Instance and self.evaluator.keras_bn_subclass(option.cls):
                api = tf_api.KERAS_LAYER_API
                args = resolver.call_args(node, at, frame)
                flag = self._flag_from_args(api, "", args, call, Via.INSTANCE)
                found.append(BatchNormSite(call, api, option.cls.scope.name, flag, None, Via.INSTANCE, frame))
        for keyword in node.keywords:
            if keyword.arg not in (tf_api.NORMALIZER_FN_KEYWORD, tf_api.ACTIVATION_FN_KEYWORD):
                continue
            for option in options(resolver.value(keyword.value, at, frame)):
                target, partial_args = option, None
                if type(option) is Partial and type(option.target) is Api:
                    target, partial_args = option.target, option.args
                if type(target) is not Api:
                    continue
                api = tf_api.BATCH_NORM_APIS.get(target.name)
                if api is None or api.family != Family.CONTRIB:
                    continue
                found.append(self._normalizer_site(call, api, target.name, partial_args, frame,
                                                   keyword.arg == tf_api.NORMALIZER_FN_KEYWORD))
        return found

    def _site(self, call, api, name, args: Args, frame, via) -> BatchNormSite:
        flag = self._flag_from_args(api, name, args, call, via)
        collection = self._collection_from_args(api, name, args)
        keeps = args.keyword(tf_api.VARIABLES_COLLECTIONS_KEYWORD) is not None or \
            self.scopes.keep_moving_in_trainable(name, call)
        return BatchNormSite(call, api, name, flag, collection, via, frame, keeps, self._frozen(args, name))

    def _flag_from_args(self, api, name: str, args: Args, call: CallSite, origin: str) -> Flag:
        state, arg = self.evaluator.argument(args, api.flag, api.flag_position)
        if state == FlagState.GIVEN:
            return self._flag_of(arg, origin)
        if state == FlagState.UNKNOWN:
            return Flag(FlagState.UNKNOWN)
        return self._flag_from_scopes(api, name, call)

    def _flag_from_scopes(self, api, name: str, call: CallSite) -> Flag:
        """The flag of a site that names none itself: an arg_scope of this module gives it,
        or may (one it cannot read, one it offers its callers, one an importer opens around
        the site's function), or nothing does."""
        found, item, _ = self.scopes.default(name, api.flag)
        if found:
            return self._flag_of(item, Via.ARG_SCOPE)
        if found is None or self.scopes.exposes_flag_scope or self.scopes.configured_by_importers(call, name):
            return Flag(FlagState.UNKNOWN)
        return Flag(FlagState.MISSING)

    def _declared_in_arg_scope(self, call: CallSite) -> bool:
        return any(type(option) is Api and option.name in tf_api.ARG_SCOPES
                   for option in options(self.evaluator.callee(call)))

    def _flag_of(self, arg, origin: str) -> Flag:
        value = self.resolver.arg_value(arg)
        if isinstance(arg, Arg):
            return Flag(FlagState.GIVEN, arg.node, self.resolver.definite_bool(value), origin, value,
                        arg.at.scope.index if arg.at is not None else None, arg.at.scope if arg.at else None)
        return Flag(FlagState.GIVEN, None, self.resolver.definite_bool(value), origin, value)

    def _collection_from_args(self, api, name: str, args: Args):
        if api.collection_arg is None:
            return UPDATE_OPS
        state, arg = self.evaluator.argument(args, api.collection_arg, api.collection_position)
        if state == FlagState.GIVEN:
            return self._collection_value(self.resolver.arg_value(arg))
        if state == FlagState.UNKNOWN:
            return UPDATE_OPS
        found, item, _ = self.scopes.default(name, api.collection_arg)
        if found:
            return self._collection_value(self.resolver.arg_value(item))
        return UPDATE_OPS

    def _collection_value(self, value: Value):
        keys = set()
        for option in options(value):
            if type(option) is Const and option.value is None:
                keys.add(None)
            elif type(option) is Sequence:
                items = self.evaluator.sequence_values(option)
                key = self.resolver.collection_key(items[0]) if items else None
                keys.add(key or UPDATE_OPS)
            else:
                keys.add(self.resolver.collection_key(option) or UPDATE_OPS)
        if keys == {None}:
            return None
        keys.discard(None)
        return sorted(keys)[0] if len(keys) == 1 else UPDATE_OPS

    def _frozen(self, args: Args, name: str = "") -> bool:
        """``trainable=False`` beside the flag: a deliberately frozen layer."""
        state, arg = self.evaluator.argument(args, tf_api.TRAINABLE_KEYWORD, None)
        if state == FlagState.GIVEN:
            return self.resolver.definite_bool(self.resolver.arg_value(arg)) is False
        if name:
            found, item, _ = self.scopes.default(name, tf_api.TRAINABLE_KEYWORD)
            if found:
                return self.resolver.definite_bool(self.resolver.arg_value(item)) is False
        return False

    def _normalizer_site(self, call: CallSite, api, name, partial_args, frame, with_params: bool) -> BatchNormSite:
        resolver = self.resolver
        at = self.evaluator.at(call)
        params_arg = None
        for keyword in call.node.keywords:
            if keyword.arg == tf_api.NORMALIZER_PARAMS_KEYWORD and with_params:
                params_arg = Arg(keyword.value, at, frame)
        entries: Optional[Mapping] = None
        complete = True
        if params_arg is not None:
            params = resolver.arg_value(params_arg)
            if type(params) is Mapping:
                entries = params
                complete = params.complete
            elif type(params) is Const and params.value is None:
                entries = None
            else:
                complete = False
        flag = None
        if partial_args is not None:
            state, arg = self.evaluator.argument(partial_args, api.flag, None)
            if state == FlagState.GIVEN:
                flag = self._flag_of(arg, Via.PARTIAL)
            elif state == FlagState.UNKNOWN:
                flag = Flag(FlagState.UNKNOWN)
        if flag is None and entries is not None and entries.get(api.flag) is not None:
            flag = self._flag_of(entries.get(api.flag), Via.NORMALIZER_PARAMS)
        if flag is None and not complete:
            flag = Flag(FlagState.UNKNOWN)
        if flag is None:
            flag = self._flag_from_scopes(api, name, call)
            if flag.state == FlagState.MISSING and self._declared_in_arg_scope(call) and \
                    self.scopes.importers_set_flag(name):
                # ``arg_scope([conv2d], normalizer_fn=batch_norm)`` in a scope factory: the batch norm
                # runs inside each conv2d, under whatever batch-norm arg_scope is open there (slim's
                # resnet_v1 opens ``arg_scope([batch_norm], is_training=...)`` around its blocks).
                flag = Flag(FlagState.UNKNOWN)
        collection = UPDATE_OPS
        collection_item = entries.get(api.collection_arg) if entries is not None else None
        if partial_args is not None and partial_args.keyword(api.collection_arg) is not None:
            collection = self._collection_value(resolver.arg_value(partial_args.keyword(api.collection_arg)))
        elif collection_item is not None:
            collection = self._collection_value(resolver.arg_value(collection_item))
        else:
            found, item, _ = self.scopes.default(name, api.collection_arg)
            if found:
                collection = self._collection_value(resolver.arg_value(item))
        keeps = (entries is not None and entries.get(tf_api.VARIABLES_COLLECTIONS_KEYWORD) is not None) or \
            self.scopes.keep_moving_in_trainable(name, call)
        frozen = False
        if entries is not None and entries.get(tf_api.TRAINABLE_KEYWORD) is not None:
            frozen = resolver.definite_bool(resolver.arg_value(entries.get(tf_api.TRAINABLE_KEYWORD))) is False
        return BatchNormSite(call, api, name, flag, collection, Via.NORMALIZER_FN, frame, keeps, frozen,
                             params_arg.node if params_arg is not None else None)


def lexical_sites(reader: SiteReader, index: ModuleIndex) -> Tuple[List[BatchNormSite], List[BatchNormSite]]:
    """The module's own sites, frameless: (UPDATE_OPS-kind sites, Keras sites)."""
    sites: List[BatchNormSite] = []
    keras_sites: List[BatchNormSite] = []
    for call in index.calls:
        for site in reader.sites_of_call(call):
            (keras_sites if site.keras else sites).append(site)
    # A tf.layers class built but applied where we cannot see still writes UPDATE_OPS; one
    # applied here is a site at its call (where the flag is given).
    applied = set()
    for site in sites:
        if site.via == Via.INSTANCE:
            for option in options(reader.evaluator.callee(site.call)):
                if type(option) is ApiCall:
                    applied.add(id(option.node))
    sites = [site for site in sites if site.via != Via.CONSTRUCTION or id(site.call.node) not in applied]
    return sites, keras_sites
