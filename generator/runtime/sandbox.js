// The sandbox prelude: evaluated once in every fresh QuickJS context, before the
// transformation module. It turns a QuickJS global object into the one a
// RudderStack JavaScript transformation sees inside rudder-transformer's
// isolated-vm isolate (src/util/ivmFactory.js), and returns `control`, the only
// handle the Python driver keeps.
//
// Two kinds of code live here, and the difference matters (docs/security.md):
// - What RudderStack runs *inside* the isolate (its bootstrap shims for fetch,
//   fetchV2, geolocation and getCredential, and forwardMainPromise) looks built-ins
//   up when it runs, so a transformation that replaces Promise or Array.prototype.map
//   changes it, here as there.
// - What RudderStack does *outside* the isolate (copying values in and out, the host
//   halves of log, getCredential and extractStackTrace, answering the request) cannot
//   be reached by the transformation. Here it runs in the same QuickJS context, so it
//   only uses the primordials captured below, before any transformation code runs,
//   never looks a method up on a value, never iterates with the iteration protocol,
//   never writes into an object that has a prototype, and never calls JSON.stringify
//   on an object.
(function (hostJson, receiverName, token, outputDepthBudget) {
  'use strict';

  // ---------------------------------------------------------------------------
  // 0. Primordials.
  // ---------------------------------------------------------------------------
  const g = globalThis;
  const apply = Reflect.apply;
  const construct = Reflect.construct;
  const ObjectCreate = Object.create;
  const ObjectKeys = Object.keys;
  const ObjectFreeze = Object.freeze;
  const ObjectDefineProperty = Object.defineProperty;
  const ObjectGetPrototypeOf = Object.getPrototypeOf;
  const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
  const hasOwn = Object.hasOwn;
  const ObjectPrototype = Object.prototype;
  const ObjectToString = Object.prototype.toString;
  const FunctionToString = Function.prototype.toString;
  const FunctionBind = Function.prototype.bind;
  const FunctionCall = Function.prototype.call;
  const ArrayIsArray = Array.isArray;
  const ArrayPrototype = Array.prototype;
  const JSONParse = JSON.parse;
  const JSONStringify = JSON.stringify;
  const StringIndexOf = String.prototype.indexOf;
  const StringLastIndexOf = String.prototype.lastIndexOf;
  const StringSlice = String.prototype.slice;
  const StringToLowerCase = String.prototype.toLowerCase;
  const StringValueOf = String.prototype.valueOf;
  const NumberValueOf = Number.prototype.valueOf;
  const BooleanValueOf = Boolean.prototype.valueOf;
  const BigIntValueOf = BigInt.prototype.valueOf;
  const SymbolValueOf = Symbol.prototype.valueOf;
  const SymbolToString = Symbol.prototype.toString;
  const SymbolToStringTag = Symbol.toStringTag;
  const NumberIsFinite = Number.isFinite;
  const RegExpExec = RegExp.prototype.exec;
  const RegExpSource = ObjectGetOwnPropertyDescriptor(RegExp.prototype, 'source').get;
  const RegExpFlags = ObjectGetOwnPropertyDescriptor(RegExp.prototype, 'flags').get;
  const DateGetTime = Date.prototype.getTime;
  const DateToISOString = Date.prototype.toISOString;
  const DateToString = Date.prototype.toString;
  const MapSize = ObjectGetOwnPropertyDescriptor(Map.prototype, 'size').get;
  const MapEntries = Map.prototype.entries;
  const MapIteratorNext = ObjectGetPrototypeOf(new Map().entries()).next;
  const SetSize = ObjectGetOwnPropertyDescriptor(Set.prototype, 'size').get;
  const SetValues = Set.prototype.values;
  const SetIteratorNext = ObjectGetPrototypeOf(new Set().values()).next;
  const SetCtor = Set;
  const SetAdd = Set.prototype.add;
  const SetHas = Set.prototype.has;
  const WeakMapHas = WeakMap.prototype.has;
  const WeakSetCtor = WeakSet;
  const WeakSetAdd = WeakSet.prototype.add;
  const WeakSetHas = WeakSet.prototype.has;
  const WeakRefDeref = WeakRef.prototype.deref;
  const FinalizationRegistryUnregister = FinalizationRegistry.prototype.unregister;
  const ArrayBufferByteLength = ObjectGetOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
  const SharedArrayBufferByteLength = typeof SharedArrayBuffer === 'function'
    ? ObjectGetOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'byteLength').get : null;
  const DataViewByteLength = ObjectGetOwnPropertyDescriptor(DataView.prototype, 'byteLength').get;
  const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype);
  const TypedArrayLength = ObjectGetOwnPropertyDescriptor(TypedArrayPrototype, 'length').get;
  const PromisePrototype = Promise.prototype;
  const PromiseThen = Promise.prototype.then;
  const GeneratorPrototype = ObjectGetPrototypeOf(function* () {}.prototype);
  const AsyncGeneratorPrototype = ObjectGetPrototypeOf(async function* () {}.prototype);
  const ErrorIsError = typeof Error.isError === 'function' ? Error.isError : null;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const InternalErrorCtor = g.InternalError;
  const captureStackTrace = Error.captureStackTrace;
  const ProxyCtor = Proxy;
  const PristineObjectPrototypeNames = ObjectGetOwnPropertyNames(ObjectPrototype);

  // True when calling `check` with `value` as receiver does not throw: a brand check
  // that runs no code of the transformation.
  function branded(check, value, args) {
    try {
      apply(check, value, args || []);
      return true;
    } catch (e) {
      return false;
    }
  }

  // Growable lists without Array.prototype (an index setter there cannot intercept them).
  function newList() {
    const list = ObjectCreate(null);
    list.length = 0;
    return list;
  }
  function append(list, value) {
    list[list.length] = value;
    list.length += 1;
  }
  function record() {
    return ObjectCreate(null);
  }

  // Host-side data (fetch answers, geolocation, credentials), copied at setup (before any
  // transformation code runs) into records without a prototype, so a getter the
  // transformation puts on Object.prototype never answers for a missing key. Lists stay
  // arrays: they are only ever read, by index, below their own length.
  function detach(value) {
    if (value === null || typeof value !== 'object') return value;
    if (ArrayIsArray(value)) {
      const out = [];
      for (let i = 0; i < value.length; i += 1) out[i] = detach(value[i]);
      return out;
    }
    const out = record();
    const keys = ObjectKeys(value);
    for (let i = 0; i < keys.length; i += 1) out[keys[i]] = detach(value[keys[i]]);
    return out;
  }
  const host = detach(JSONParse(hostJson));
  const FILE = host.name;
  // On V8 (gen's `v8` engine) the engine itself formats stacks and disposes of a
  // context that runs out of memory, as in RudderStack; the emulation of both is
  // for QuickJS only.
  const ON_V8 = host.engine === 'v8';

  // Every Proxy the transformation creates, so copying one out fails as V8's structured
  // clone fails on it. The global Proxy becomes a proxy of itself: same name, length,
  // behaviour and source text.
  const proxies = construct(WeakSetCtor, []);
  const recordProxy = (p) => { apply(WeakSetAdd, proxies, [p]); return p; };
  const ProxyRevocable = ProxyCtor.revocable;
  const TrackedProxy = new ProxyCtor(ProxyCtor, {
    construct(target, args, newTarget) {
      return recordProxy(construct(target, args, newTarget));
    },
  });
  ObjectDefineProperty(TrackedProxy, 'revocable', {
    value: new ProxyCtor(ProxyRevocable, {
      apply(target, self, args) {
        const pair = apply(target, self, args);
        recordProxy(pair.proxy);
        return pair;
      },
    }),
    writable: true, enumerable: false, configurable: true,
  });
  ObjectDefineProperty(g, 'Proxy', { value: TrackedProxy, writable: true, enumerable: false, configurable: true });

  // ---------------------------------------------------------------------------
  // 1. Globals: remove what QuickJS has and RudderStack's V8 (Node 22.22.3,
  //    V8 12.4) lacks, so code that leans on them fails here as it would there.
  //    (Symbol.dispose and Symbol.asyncDispose cannot be removed: they are
  //    non-configurable.)
  // ---------------------------------------------------------------------------
  const removeGlobals = [
    'atob', 'btoa', 'performance', 'queueMicrotask', 'DOMException', 'InternalError',
    'Float16Array', 'DisposableStack', 'AsyncDisposableStack', 'SuppressedError',
  ];
  const removeMembers = [
    [ArrayBuffer.prototype, ['immutable', 'sliceToImmutable', 'transferToImmutable']],
    [Atomics, ['pause']],
    [DataView.prototype, ['getFloat16', 'setFloat16']],
    [Error, ['isError']],
    [Function.prototype, ['columnNumber', 'fileName', 'lineNumber']],
    [g.Iterator, ['concat', 'zip', 'zipKeyed']],
    [g.Iterator && g.Iterator.prototype, ['chunks', 'windows', 'includes', 'join']],
    [Map.prototype, ['getOrInsert', 'getOrInsertComputed']],
    [WeakMap.prototype, ['getOrInsert', 'getOrInsertComputed']],
    [Math, ['f16round', 'sumPrecise']],
    [Promise, ['try']],
    [RegExp, ['escape']],
    [Uint8Array, ['fromBase64', 'fromHex']],
    [Uint8Array.prototype, ['setFromBase64', 'setFromHex', 'toBase64', 'toHex']],
  ];
  for (let i = 0; i < removeGlobals.length; i += 1) delete g[removeGlobals[i]];
  for (let i = 0; i < removeMembers.length; i += 1) {
    const [owner, names] = removeMembers[i];
    if (owner === undefined) continue; // an older V8 (gen's v8 engine on Node 20) lacks Iterator
    for (let j = 0; j < names.length; j += 1) delete owner[names[j]];
  }

  // ---------------------------------------------------------------------------
  // 2. Stack traces in V8's format, with the transformation's name as the file,
  //    so error strings read as RudderStack writes them. V8 formats stacks natively;
  //    so does this, with primordials only.
  // ---------------------------------------------------------------------------
  function errorHeader(err) {
    if (err === null || (typeof err !== 'object' && typeof err !== 'function')) return StringCtorSafe(err);
    let name = err.name;
    name = name === undefined ? 'Error' : StringCtorSafe(name);
    let message = err.message;
    message = message === undefined ? '' : StringCtorSafe(message);
    if (name === '') return message;
    if (message === '') return name;
    return name + ': ' + message;
  }

  // String(value) as V8's native stack formatter would get it: primitives directly;
  // an object goes through its own toString, as there.
  function StringCtorSafe(value) {
    if (typeof value === 'symbol') return apply(SymbolToString, value, []);
    if (value === null || typeof value !== 'object') return '' + value;
    return String(value);
  }

  function constructorName(value) {
    for (let proto = value; proto !== null; proto = ObjectGetPrototypeOf(proto)) {
      const ctor = ObjectGetOwnPropertyDescriptor(proto, 'constructor');
      if (ctor !== undefined && hasOwn(ctor, 'value') && typeof ctor.value === 'function') {
        const name = ObjectGetOwnPropertyDescriptor(ctor.value, 'name');
        if (name !== undefined && hasOwn(name, 'value') && typeof name.value === 'string' && name.value !== '') {
          return name.value;
        }
        return 'Object';
      }
    }
    return 'Object';
  }

  function receiverType(receiver) {
    if (receiver === undefined || receiver === null || receiver === g) return null;
    if (typeof receiver === 'function') {
      const name = ObjectGetOwnPropertyDescriptor(receiver, 'name');
      return (name && typeof name.value === 'string' && name.value) || 'Function';
    }
    if (typeof receiver !== 'object') {
      switch (typeof receiver) {
        case 'string': return 'String';
        case 'number': return 'Number';
        case 'boolean': return 'Boolean';
        case 'bigint': return 'BigInt';
        case 'symbol': return 'Symbol';
        default: return null;
      }
    }
    if (receiver === JSONObject) return 'JSON';
    if (receiver === MathObject) return 'Math';
    if (receiver === ReflectObject) return 'Reflect';
    return constructorName(receiver);
  }
  const JSONObject = JSON;
  const MathObject = Math;
  const ReflectObject = Reflect;

  // QuickJS does not expose the receiver of strict-mode frames, so built-ins
  // get the owner V8 names most often.
  const nativeOwner = record();
  const NATIVE_OWNERS = [
    ['JSON', ['parse', 'stringify']],
    ['Object', ['keys', 'values', 'entries', 'assign', 'fromEntries', 'defineProperty', 'freeze']],
    ['Promise', ['all', 'allSettled', 'race', 'any']],
    ['Array', ['map', 'forEach', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex',
      'findLast', 'findLastIndex', 'flatMap', 'sort', 'from', 'toSorted']],
    ['String', ['replace', 'replaceAll', 'split', 'match', 'matchAll']],
  ];
  for (let i = 0; i < NATIVE_OWNERS.length; i += 1) {
    const [owner, names] = NATIVE_OWNERS[i];
    for (let j = 0; j < names.length; j += 1) nativeOwner[names[j]] = owner;
  }

  function startsWith(text, prefix) {
    return apply(StringSlice, text, [0, prefix.length]) === prefix;
  }

  function frameText(cs) {
    let fn = cs.getFunctionName();
    if (fn === '<eval>') fn = null;
    let receiver;
    try { receiver = cs.getThis(); } catch (e) { receiver = undefined; }
    const location = cs.isNative() ? '<anonymous>' : FILE + ':' + cs.getLineNumber() + ':' + cs.getColumnNumber();
    if (cs.isConstructor()) return 'new ' + (fn || '<anonymous>') + ' (' + location + ')';
    let type = receiverType(receiver);
    if (type === null && cs.isNative() && fn && nativeOwner[fn] !== undefined) type = nativeOwner[fn];
    let label = fn;
    if (type !== null) {
      label = fn ? (startsWith(fn, type + '.') ? fn : type + '.' + fn) : type + '.<anonymous>';
    }
    return label ? label + ' (' + location + ')' : location;
  }

  // V8 keeps the 10 innermost frames (Error.stackTraceLimit), so a deep helper chain
  // can push transformEvent's frame out of the trace.
  const STACK_LIMIT = 10;
  if (!ON_V8) Error.prepareStackTrace = function (err, callsites) {
    let text = errorHeader(err);
    // QuickJS reports where in the JSON text JSON.parse failed as a frame of its own.
    const first = jsonPositionFrame(callsites) ? 1 : 0;
    const count = callsites.length - first < STACK_LIMIT ? callsites.length : STACK_LIMIT + first;
    for (let i = first; i < count; i += 1) text += '\n    at ' + frameText(callsites[i]);
    return text;
  };

  function jsonPositionFrame(callsites) {
    if (callsites.length < 2) return false;
    const position = callsites[0];
    const parse = callsites[1];
    return !position.isNative() && !position.getFunctionName() && parse.isNative() && parse.getFunctionName() === 'parse';
  }

  // An error raised by a host function (getCredential, log, fetch, ...) is
  // created in the isolate at the call site in RudderStack, so its stack starts
  // at the caller, not inside our shim.
  function hostError(Ctor, message, shim) {
    const err = construct(Ctor, [message]);
    apply(captureStackTrace, ErrorCtor, [err, shim]);
    return err;
  }

  // ---------------------------------------------------------------------------
  // 3. Copying values out of the isolate, as rudder-transformer does: a structured
  //    clone (isolated-vm's ExternalCopy: V8's serializer) and then JSON on the host.
  //    The clone refuses functions, symbols, proxies and some objects (the whole run
  //    fails); JSON then drops undefined, turns NaN and Infinity into null and Dates
  //    into ISO strings, and fails on BigInt and cycles (the request fails).
  //    Both happen here in one walk over the value, without recursion, so an event
  //    nested thousands of levels deep is copied as RudderStack copies it.
  // ---------------------------------------------------------------------------
  function nativeSource(text) {
    // QuickJS writes native functions over three lines; V8 on one.
    const m = apply(RegExpExec, /^(function\s*[^(]*\(\)) \{\s*\[native code\]\s*\}$/, [text]);
    return m === null ? text : m[1] + ' { [native code] }';
  }

  function describeFunction(fn) {
    let text;
    try { text = apply(FunctionToString, fn, []); } catch (e) { text = 'function () { [native code] }'; }
    return nativeSource(text);
  }

  function cloneFailure(description) {
    return description + ' could not be cloned.';
  }

  // The object's built-in tag, when reading it runs no code of the transformation.
  function builtinTag(value) {
    for (let proto = value; proto !== null; proto = ObjectGetPrototypeOf(proto)) {
      if (ObjectGetOwnPropertyDescriptor(proto, SymbolToStringTag) !== undefined) return null;
    }
    return apply(ObjectToString, value, []);
  }

  function inheritsFrom(value, prototype) {
    for (let proto = ObjectGetPrototypeOf(value); proto !== null; proto = ObjectGetPrototypeOf(proto)) {
      if (proto === prototype) return true;
    }
    return false;
  }

  // What kind of object V8's serializer sees, decided without running transformation code.
  // Most objects carry no Symbol.toStringTag, and for them the built-in tag alone decides;
  // the others (Map, Set, Promise, typed arrays, ...) are told apart by brand checks.
  function objectKind(v) {
    if (apply(WeakSetHas, proxies, [v])) return 'refuse-object';
    if (ArrayIsArray(v)) return 'array';
    if (v === g) return 'refuse-object';
    switch (builtinTag(v)) {
      case '[object Object]': return 'object';
      case '[object Date]': return 'date';
      case '[object Boolean]': return 'boolean';
      case '[object Number]': return 'number';
      case '[object String]': return 'string';
      case '[object Error]': case '[object RegExp]': return 'empty';
      case '[object Arguments]': return 'refuse-object';
      default: break;
    }
    if (branded(DateGetTime, v)) return 'date';
    if (branded(BooleanValueOf, v)) return 'boolean';
    if (branded(NumberValueOf, v)) return 'number';
    if (branded(StringValueOf, v)) return 'string';
    if (branded(BigIntValueOf, v)) return 'bigint';
    if (branded(SymbolValueOf, v)) return 'refuse-object';
    if (branded(MapSize, v)) return 'map';
    if (branded(SetSize, v)) return 'set';
    if (branded(TypedArrayLength, v)) return 'typed-array';
    if (branded(RegExpSource, v) && v !== RegExp.prototype) return 'empty';
    if (branded(ArrayBufferByteLength, v) || branded(DataViewByteLength, v)) return 'empty';
    if (SharedArrayBufferByteLength !== null && branded(SharedArrayBufferByteLength, v)) return 'empty';
    if (ErrorIsError !== null && ErrorIsError(v)) return 'empty';
    if (branded(WeakMapHas, v, [ObjectPrototype]) || branded(WeakSetHas, v, [ObjectPrototype])) return 'refuse-named';
    if (branded(WeakRefDeref, v) || branded(FinalizationRegistryUnregister, v, [ObjectPrototype])) return 'refuse-named';
    if (inheritsFrom(v, PromisePrototype)) return 'refuse-named';
    if (inheritsFrom(v, GeneratorPrototype)) return 'refuse-generator';
    if (inheritsFrom(v, AsyncGeneratorPrototype)) return 'refuse-async-generator';
    return 'object';
  }

  function refusal(kind, v) {
    switch (kind) {
      case 'refuse-object': return cloneFailure('#<Object>');
      case 'refuse-named': return cloneFailure('#<' + constructorName(v) + '>');
      case 'refuse-generator': return cloneFailure('[object Generator]');
      case 'refuse-async-generator': return cloneFailure('[object AsyncGenerator]');
      default: return null;
    }
  }

  // The clone alone (no JSON): null when `root` can be cloned, else V8's message.
  // Used for the contents of Maps and Sets, which the clone copies and JSON never sees,
  // and for arguments handed to host functions.
  function cloneProblem(root) {
    const seen = construct(WeakSetCtor, []);
    const stack = newList();
    append(stack, root);
    while (stack.length > 0) {
      stack.length -= 1;
      const v = stack[stack.length];
      switch (typeof v) {
        case 'function': return cloneFailure(describeFunction(v));
        case 'symbol': return cloneFailure(apply(SymbolToString, v, []));
        case 'object': break;
        default: continue;
      }
      if (v === null || apply(WeakSetHas, seen, [v])) continue;
      apply(WeakSetAdd, seen, [v]);
      const kind = objectKind(v);
      const refused = refusal(kind, v);
      if (refused !== null) return refused;
      if (kind === 'map') {
        const entries = apply(MapEntries, v, []);
        for (let step = apply(MapIteratorNext, entries, []); !step.done; step = apply(MapIteratorNext, entries, [])) {
          append(stack, step.value[0]);
          append(stack, step.value[1]);
        }
      } else if (kind === 'set') {
        const values = apply(SetValues, v, []);
        for (let step = apply(SetIteratorNext, values, []); !step.done; step = apply(SetIteratorNext, values, [])) {
          append(stack, step.value);
        }
      } else if (kind === 'array' || kind === 'object') {
        const keys = ObjectKeys(v);
        for (let i = 0; i < keys.length; i += 1) {
          if (hasOwn(v, keys[i])) append(stack, v[keys[i]]);
        }
      }
    }
    return null;
  }

  const BIGINT_JSON = 'TypeError: Do not know how to serialize a BigInt';
  const CYCLE_JSON = 'TypeError: Converting circular structure to JSON';

  // The JSON text RudderStack's host would send for `root`, or why it cannot:
  // {text} | {clone: message} (the run fails) | {encode: message} (the request fails)
  // | {deep: true} (the host cannot copy something this deep back; the request times out)
  // | {undefined: true}.
  function encodeOut(root, depthBudget) {
    const result = record();
    if (root === undefined) {
      result.undefined = true;
      return result;
    }
    const text = fastText(root);
    if (text !== null) {
      result.text = text;
      return result;
    }
    return slowText(root, depthBudget, result);
  }

  // The common case, at native speed: plain objects, arrays and JSON values, no deeper
  // than FAST_DEPTH. Anything else leaves for slowText, which handles every case.
  const FAST_DEPTH = 64;
  const LEAVE = record();
  const proxiesHas = apply(FunctionBind, WeakSetHas, [proxies]);
  // Outputs repeat their keys: each key's JSON text is made once (a record has no
  // prototype, so no key reads through to Object.prototype).
  const keyText = record();
  const MAX_KEY_TEXTS = 10000;
  let keyTexts = 0;
  const toTag = apply(FunctionBind, FunctionCall, [ObjectToString]);

  function fastText(root) {
    const plainObjectPrototype = !hasOwn(ObjectPrototype, SymbolToStringTag);
    // A hole reads through to the prototypes; with no index keys there it reads undefined.
    const holesReadUndefined = !hasIndexKey(ArrayPrototype) && !hasIndexKey(ObjectPrototype);
    let out = '';
    function write(x, depth) {
      switch (typeof x) {
        case 'string': out += JSONStringify(x); return;
        case 'number': out += NumberIsFinite(x) ? '' + x : 'null'; return;
        case 'boolean': out += x ? 'true' : 'false'; return;
        case 'object': break;
        default: throw LEAVE;
      }
      if (x === null) {
        out += 'null';
        return;
      }
      if (depth > FAST_DEPTH || proxiesHas(x)) throw LEAVE;
      if (ArrayIsArray(x)) {
        const length = x.length;
        out += '[';
        for (let i = 0; i < length; i += 1) {
          if (i > 0) out += ',';
          const item = holesReadUndefined || hasOwn(x, i) ? x[i] : undefined;
          if (item === undefined) out += 'null';
          else write(item, depth + 1);
        }
        out += ']';
        return;
      }
      const proto = ObjectGetPrototypeOf(x);
      if (proto === ObjectPrototype) {
        if (!plainObjectPrototype || hasOwn(x, SymbolToStringTag) || toTag(x) !== '[object Object]') throw LEAVE;
      } else if (proto !== null || hasOwn(x, SymbolToStringTag)) {
        throw LEAVE;
      }
      // Keys are read once each, as V8's serializer reads them; a getter that deletes a
      // later key is the one case slowText handles and this does not (docs/runtime.md).
      const keys = ObjectKeys(x);
      let first = true;
      out += '{';
      for (let i = 0; i < keys.length; i += 1) {
        const key = keys[i];
        const item = x[key];
        if (item === undefined) continue;
        let quoted = keyText[key];
        if (quoted === undefined) {
          quoted = JSONStringify(key) + ':';
          if (keyTexts < MAX_KEY_TEXTS) {
            keyText[key] = quoted;
            keyTexts += 1;
          }
        }
        out += (first ? '' : ',') + quoted;
        first = false;
        write(item, depth + 1);
      }
      out += '}';
    }
    try {
      write(root, 1);
    } catch (e) {
      if (e === LEAVE) return null;
      throw e;
    }
    return out;
  }

  function hasIndexKey(object) {
    const names = ObjectGetOwnPropertyNames(object);
    for (let i = 0; i < names.length; i += 1) {
      if (apply(RegExpExec, INDEX_KEY, [names[i]]) !== null) return true;
    }
    return false;
  }
  const INDEX_KEY = /^(0|[1-9][0-9]*)$/;

  // Every case, without recursion: one frame per open container.
  function slowText(root, depthBudget, result) {
    let out = '';
    const chunks = newList();
    const frames = newList();
    let encodeError = null;
    let depthCost = 0;

    const put = (text) => {
      out += text;
      if (out.length > 65536) {
        append(chunks, out);
        out = '';
      }
    };

    // Writes a value, or opens a frame for a container. Returns a clone failure, DEEP, or null.
    function value(v) {
      switch (typeof v) {
        case 'string': put(JSONStringify(v)); return null;
        case 'number': put(NumberIsFinite(v) ? '' + v : 'null'); return null;
        case 'boolean': put(v ? 'true' : 'false'); return null;
        case 'undefined': put('null'); return null;
        case 'bigint':
          if (encodeError === null) encodeError = BIGINT_JSON;
          put('null');
          return null;
        case 'function': return cloneFailure(describeFunction(v));
        case 'symbol': return cloneFailure(apply(SymbolToString, v, []));
        default: break;
      }
      if (v === null) {
        put('null');
        return null;
      }
      const kind = objectKind(v);
      const refused = refusal(kind, v);
      if (refused !== null) return refused;
      switch (kind) {
        case 'date': {
          const time = apply(DateGetTime, v, []);
          put(NumberIsFinite(time) ? JSONStringify(apply(DateToISOString, v, [])) : 'null');
          return null;
        }
        case 'boolean': put(apply(BooleanValueOf, v, []) ? 'true' : 'false'); return null;
        case 'number': {
          const n = apply(NumberValueOf, v, []);
          put(NumberIsFinite(n) ? '' + n : 'null');
          return null;
        }
        case 'string': put(JSONStringify(apply(StringValueOf, v, []))); return null;
        case 'bigint':
          if (encodeError === null) encodeError = BIGINT_JSON;
          put('null');
          return null;
        case 'empty': put('{}'); return null;
        case 'map':
        case 'set': {
          const problem = cloneProblem(v);
          if (problem !== null) return problem;
          put('{}');
          return null;
        }
        case 'typed-array': {
          const length = apply(TypedArrayLength, v, []);
          put('{');
          for (let i = 0; i < length; i += 1) {
            const item = v[i];
            if (typeof item === 'bigint' && encodeError === null) encodeError = BIGINT_JSON;
            put((i > 0 ? ',"' : '"') + i + '":' + (typeof item === 'number' && NumberIsFinite(item) ? '' + item : 'null'));
          }
          put('}');
          return null;
        }
        default: break;
      }
      const frame = record();
      frame.value = v;
      frame.array = kind === 'array';
      frame.index = 0;
      frame.keys = frame.array ? null : ObjectKeys(v);
      frame.length = frame.array ? v.length : frame.keys.length;
      frame.first = true;
      frame.cost = frame.array ? ARRAY_DEPTH_COST : OBJECT_DEPTH_COST;
      depthCost += frame.cost;
      append(frames, frame);
      // A cycle never ends, so it too runs past the budget; JSON then fails on it.
      if (depthCost > depthBudget) return DEEP;
      put(frame.array ? '[' : '{');
      return null;
    }

    let failure = value(root);
    while (failure === null && frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame.index >= frame.length) {
        if (frame.array) failure = extraArrayProperties(frame.value);
        put(frame.array ? ']' : '}');
        depthCost -= frame.cost;
        frames.length -= 1;
        continue;
      }
      const index = frame.index;
      frame.index += 1;
      if (frame.array) {
        if (index > 0) put(',');
        if (!hasOwn(frame.value, index)) {
          put('null');
          continue;
        }
        failure = value(frame.value[index]);
        continue;
      }
      const key = frame.keys[index];
      if (!hasOwn(frame.value, key)) continue;
      const item = frame.value[key];
      if (item === undefined) continue;
      if (typeof item === 'function' || typeof item === 'symbol') {
        failure = value(item);
        continue;
      }
      put((frame.first ? '' : ',') + JSONStringify(key) + ':');
      frame.first = false;
      failure = value(item);
    }
    if (failure === DEEP) {
      // The clone runs (and may fail) before the host's copy; a cycle is JSON's failure.
      const problem = cloneProblem(root);
      if (problem !== null) {
        result.clone = problem;
      } else if (onCycle(frames)) {
        result.encode = CYCLE_JSON;
      } else {
        result.deep = true;
      }
      return result;
    }
    if (failure !== null) {
      result.clone = failure;
      return result;
    }
    if (encodeError !== null) {
      result.encode = encodeError;
      return result;
    }
    for (let i = chunks.length - 1; i >= 0; i -= 1) out = chunks[i] + out;
    result.text = out;
    return result;
  }

  const DEEP = 'deep';

  function onCycle(frames) {
    const seen = construct(SetCtor, []);
    for (let i = 0; i < frames.length; i += 1) {
      if (apply(SetHas, seen, [frames[i].value])) return true;
      apply(SetAdd, seen, [frames[i].value]);
    }
    return false;
  }

  // V8's serializer also copies an array's own non-index properties (JSON ignores them).
  function extraArrayProperties(array) {
    const keys = ObjectKeys(array);
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      const key = keys[i];
      if (apply(RegExpExec, /^(0|[1-9][0-9]*)$/, [key]) !== null) break;
      if (!hasOwn(array, key)) continue;
      const problem = cloneProblem(array[key]);
      if (problem !== null) return problem;
    }
    return null;
  }

  // How deep a value can be before the host cannot copy it back: isolated-vm copies the
  // result into the host with a recursive deserializer, which runs out of stack a little
  // under 1,930 nested objects or 1,870 nested arrays. The costs are relative (objects
  // 1000, arrays 1031); the budget comes from the driver (docs/runtime.md).
  const OBJECT_DEPTH_COST = 1000;
  const ARRAY_DEPTH_COST = 1031;

  // Arguments handed to a host function are cloned the same way; a value that cannot
  // be cloned throws a TypeError at the call site. The bootstrap shims copy with
  // `new ExternalCopy(arg)`, which refuses a bare symbol before V8's serializer sees it.
  function cloneArgument(value, shim) {
    const problem = cloneProblem(value);
    if (problem !== null) throw hostError(TypeErrorCtor, problem, shim);
  }
  function externalCopy(value, shim) {
    if (typeof value === 'symbol') throw hostError(TypeErrorCtor, 'Unsupported type', shim);
    cloneArgument(value, shim);
  }

  // String(value) on the host for a cloned value: what a host function that turns its
  // argument into text (a URL, an IP, a credential key) sees.
  function hostString(value) {
    switch (typeof value) {
      case 'string': return value;
      case 'number': case 'boolean': case 'bigint': case 'undefined': return '' + value;
      default: break;
    }
    if (value === null) return 'null';
    const kind = objectKind(value);
    switch (kind) {
      case 'array': {
        let text = '';
        for (let i = 0; i < value.length; i += 1) {
          if (i > 0) text += ',';
          const item = hasOwn(value, i) ? value[i] : undefined;
          if (item !== undefined && item !== null) text += hostString(item);
        }
        return text;
      }
      case 'date': return apply(DateToString, value, []);
      case 'boolean': return '' + apply(BooleanValueOf, value, []);
      case 'number': return '' + apply(NumberValueOf, value, []);
      case 'string': return apply(StringValueOf, value, []);
      case 'bigint': return '' + apply(BigIntValueOf, value, []);
      case 'map': return '[object Map]';
      case 'set': return '[object Set]';
      default: break;
    }
    if (branded(RegExpSource, value)) return '/' + apply(RegExpSource, value, []) + '/' + apply(RegExpFlags, value, []);
    return '[object Object]';
  }

  // ---------------------------------------------------------------------------
  // 4. The globals RudderStack defines.
  // ---------------------------------------------------------------------------
  const logs = newList();
  const credentials = host.credentials;
  const ioQueue = newList();

  // Host half of log(): each argument is cloned into the host, then written with
  // the host's JSON (objects) or as text.
  function log(...args) {
    for (let i = 0; i < args.length; i += 1) cloneArgument(args[i], log);
    if (!host.testMode) return;
    let line = 'Log:';
    for (let i = 0; i < args.length; i += 1) {
      const arg = args[i];
      let text;
      if (arg !== null && typeof arg === 'object') {
        const copied = encodeOut(arg, Infinity);
        if (copied.encode !== undefined) {
          throw hostError(TypeErrorCtor, apply(StringSlice, copied.encode, ['TypeError: '.length]), log);
        }
        text = copied.text;
      } else {
        text = arg === null ? 'null' : hostString(arg);
      }
      line += ' ' + text;
    }
    append(logs, line);
  }

  // Host half of getCredential(): a lookup in a plain host object, so the names of
  // Object.prototype's members answer what the host's Object.prototype holds.
  function hostCredential(key) {
    if (key === null || key === undefined) {
      throw hostError(TypeErrorCtor, 'Key should be valid and defined', getCredential);
    }
    const name = hostString(key);
    if (credentials[name] !== undefined) return JSONParse(JSONStringifyDetached(credentials[name]));
    for (let i = 0; i < PristineObjectPrototypeNames.length; i += 1) {
      if (PristineObjectPrototypeNames[i] !== name) continue;
      // The host's own Object.prototype: its methods arrive as functions, itself as {}.
      return name === '__proto__' ? {} : apply(FunctionBind, function () {}, [undefined]);
    }
    return undefined;
  }

  // JSON text of host data (detached records and arrays).
  function JSONStringifyDetached(value) {
    if (value === null || typeof value !== 'object') return JSONStringify(value);
    if (ArrayIsArray(value)) {
      let text = '[';
      for (let i = 0; i < value.length; i += 1) text += (i > 0 ? ',' : '') + JSONStringifyDetached(value[i]);
      return text + ']';
    }
    const keys = ObjectKeys(value);
    let text = '{';
    for (let i = 0; i < keys.length; i += 1) {
      text += (i > 0 ? ',' : '') + JSONStringify(keys[i]) + ':' + JSONStringifyDetached(value[keys[i]]);
    }
    return text + '}';
  }

  // RudderStack's in-isolate shim: it reads args[0] and copies it into the host.
  function getCredential(...args) {
    const key = args[0];
    externalCopy(key, getCredential);
    return hostCredential(key);
  }

  function normalizeUrl(raw) {
    const m = apply(RegExpExec, /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/, [raw]);
    if (m === null) return null;
    let rest = m[3];
    if (rest === '' || rest[0] === '?' || rest[0] === '#') rest = '/' + rest;
    return apply(StringToLowerCase, m[1], []) + '://' + apply(StringToLowerCase, m[2], []) + rest;
  }

  // Canned responses are keyed the way request URLs are compared: normalized.
  const cannedResponses = record();
  const cannedUrls = ObjectKeys(host.fetch);
  for (let i = 0; i < cannedUrls.length; i += 1) {
    const url = cannedUrls[i];
    cannedResponses[normalizeUrl(url) || url] = host.fetch[url];
  }

  const PRIVATE_HOST = /^(localhost|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|169\.254\.\d+\.\d+|0\.0\.0\.0|\[::1?\])(:\d+)?$/i;

  // What the network would answer: {ok: response} or {error: {...}}, as host data.
  function resolveRequest(url) {
    const answer = record();
    const normalized = normalizeUrl(hostString(url));
    if (normalized === null) {
      answer.error = { message: 'Only absolute URLs are supported', name: 'TypeError' };
      return answer;
    }
    let hostPart = apply(StringSlice, normalized, [apply(StringIndexOf, normalized, ['://']) + 3]);
    for (let i = 0; i < 3; i += 1) {
      const at = apply(StringIndexOf, hostPart, ['/?#'[i]]);
      if (at >= 0) hostPart = apply(StringSlice, hostPart, [0, at]);
    }
    const at = apply(StringLastIndexOf, hostPart, ['@']);
    if (at >= 0) hostPart = apply(StringSlice, hostPart, [at + 1]);
    if (apply(RegExpExec, PRIVATE_HOST, [hostPart]) !== null) {
      answer.error = { message: 'request to ' + normalized + ' failed, reason: gen: RudderStack refuses requests to local and private addresses', type: 'system' };
      return answer;
    }
    const canned = cannedResponses[normalized];
    if (canned === undefined) {
      answer.error = { message: 'request to ' + normalized + ' failed, reason: gen: no canned response for this URL (the local runtime makes no network calls)', type: 'system' };
      return answer;
    }
    if (canned.error !== undefined) {
      answer.error = { message: 'request to ' + normalized + ' failed, reason: ' + canned.error, type: 'system' };
      return answer;
    }
    answer.ok = { url: normalized, status: canned.status, headers: JSONParse(JSONStringifyDetached(canned.headers)), body: canned.body };
    return answer;
  }

  // Host I/O settles after the current job queue drains, as a real network
  // response would; the driver calls flush-io when QuickJS runs out of jobs.
  function later(settle) {
    append(ioQueue, settle);
  }

  // RudderStack's bootstrap shims run inside the isolate: `new Promise`, `args.map`
  // and the spread into the host call are looked up when they run, and a value that
  // cannot be cloned rejects the promise (the copy happens in its executor).
  function fetch(...args) {
    return new Promise((resolve) => {
      const copies = [...args.map((arg) => { externalCopy(arg, fetch); return arg; })];
      const answer = resolveRequest(copies[0]);
      later(() => {
        if (answer.error !== undefined) return resolve('ERROR');
        try { resolve(JSONParse(answer.ok.body)); } catch (e) { resolve('ERROR'); }
      });
    });
  }

  function fetchV2(...args) {
    return new Promise((resolve, reject) => {
      const copies = [...args.map((arg) => { externalCopy(arg, fetchV2); return arg; })];
      const answer = resolveRequest(copies[0]);
      later(() => {
        if (answer.error !== undefined) return reject(answer.error);
        const response = answer.ok;
        let body = response.body;
        try { body = JSONParse(body); } catch (e) { /* text body stays text */ }
        resolve({ url: response.url, status: response.status, headers: response.headers, body: body });
      });
    });
  }

  function geolocation(...args) {
    return new Promise((resolve, reject) => {
      const copies = [...args.map((arg) => { externalCopy(arg, geolocation); return arg; })];
      const ip = hostString(copies[0]);
      const found = host.geolocation[ip];
      later(() => {
        if (found !== undefined) return resolve(JSONParse(JSONStringifyDetached(found)));
        reject({ message: 'geolocation is not available right now' });
      });
    });
  }

  // rudder-transformer's host-side extractStackTraceUptoLastSubstringMatch:
  // keep the stack up to the last line naming one of the given functions.
  function extractStackTrace(trace, names) {
    cloneArgument(trace, extractStackTrace);
    cloneArgument(names, extractStackTrace);
    if (trace === undefined || trace === null) {
      throw hostError(TypeErrorCtor, 'Cannot read properties of ' + trace + " (reading 'split')", extractStackTrace);
    }
    if (typeof trace !== 'string') throw hostError(TypeErrorCtor, 'trace.split is not a function', extractStackTrace);
    const lines = newList();
    let start = 0;
    for (;;) {
      const end = apply(StringIndexOf, trace, ['\n', start]);
      append(lines, apply(StringSlice, trace, [start, end < 0 ? trace.length : end]));
      if (end < 0) break;
      start = end + 1;
    }
    let last = 0;
    for (let i = lines.length - 1; i >= 0; i -= 1) {
      if (namesIn(lines[i], names)) { last = i; break; }
    }
    let text = '';
    for (let i = 0; i <= last; i += 1) text += (i > 0 ? '\n' : '') + lines[i];
    return text;
  }

  function namesIn(line, names) {
    if (names === null || typeof names !== 'object' || !ArrayIsArray(names)) return false;
    for (let i = 0; i < names.length; i += 1) {
      if (apply(StringIndexOf, line, [hostString(names[i])]) >= 0) return true;
    }
    return false;
  }

  const noop = function () {};
  const console = {};
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'dirxml', 'table',
    'group', 'groupCollapsed', 'groupEnd', 'clear', 'count', 'countReset', 'assert', 'profile',
    'profileEnd', 'time', 'timeLog', 'timeEnd', 'timeStamp', 'context'];
  for (let i = 0; i < consoleMethods.length; i += 1) console[consoleMethods[i]] = noop;

  const define = (name, value) => ObjectDefineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
  define('global', g);
  define('console', console);
  g.fetch = fetch;
  g.fetchV2 = fetchV2;
  g.geolocation = geolocation;
  g.log = log;
  g.getCredential = getCredential;
  g.extractStackTrace = extractStackTrace;

  // ---------------------------------------------------------------------------
  // 5. What the transformation's wrapper needs from the runtime.
  // ---------------------------------------------------------------------------

  // QuickJS lets JavaScript catch an out-of-memory error; V8 disposes the
  // isolate instead, so the wrapper reports it as fatal.
  // With almost no memory left QuickJS throws its InternalError without a message, or
  // plain null when it cannot even allocate that. A transformation's own `throw null` is
  // therefore taken for an out-of-memory error too (docs/runtime.md).
  let outOfMemory = false;
  function isOutOfMemory(e) {
    if (ON_V8) return false;
    if (e === null) {
      outOfMemory = true;
      return true;
    }
    if (InternalErrorCtor !== undefined && typeof e === 'object' && ObjectGetPrototypeOf(e) === InternalErrorCtor.prototype) {
      const message = ObjectGetOwnPropertyDescriptor(e, 'message');
      const text = message !== undefined && typeof message.value === 'string' ? message.value : '';
      if (text === '' || apply(StringIndexOf, text, ['out of memory']) >= 0) {
        outOfMemory = true;
        return true;
      }
    }
    return false;
  }

  // error.stack as V8 would give it. Every V8 Error has a string stack; QuickJS builds
  // none for some errors it raises itself (stack overflow). Reading .stack of null or
  // undefined still throws, as it does in RudderStack's wrapper.
  function stackOf(error) {
    const stack = error.stack;
    if (typeof stack !== 'string' && error !== null && typeof error === 'object' && ErrorIsError !== null && ErrorIsError(error)) {
      return errorHeader(error);
    }
    return stack;
  }

  // A TypeError carrying V8's wording for a call of something that is not a function.
  function notAFunction(text) {
    return construct(TypeErrorCtor, [text + ' is not a function']);
  }

  // V8's TypeErrors for a spread of something without a usable iterator.
  const SymbolIterator = Symbol.iterator;
  function spreadable(value) {
    const iterator = value === null || value === undefined ? undefined : value[SymbolIterator];
    if (iterator === undefined || iterator === null) {
      throw construct(TypeErrorCtor, ['object is not iterable (cannot read property Symbol(Symbol.iterator))']);
    }
    if (typeof iterator !== 'function') {
      throw construct(TypeErrorCtor, ['Spread syntax requires ...iterable[Symbol.iterator] to be a function']);
    }
    return value;
  }

  const runtime = ObjectFreeze({ isOutOfMemory, stackOf, notAFunction, apply, spreadable });

  // ---------------------------------------------------------------------------
  // 6. Receiving the module namespace. The module's last statement calls this
  //    global (a random name, not writable, not configurable) with a token only
  //    that statement knows, so transformation code cannot hand in another object.
  // ---------------------------------------------------------------------------
  let namespace = null;
  ObjectDefineProperty(g, receiverName, {
    value: function (secret, ns) {
      if (secret === token && namespace === null) namespace = ns;
    },
    writable: false, enumerable: false, configurable: false,
  });

  // ---------------------------------------------------------------------------
  // 7. The driver's handle: the Python side only ever calls control(...). It only
  //    returns strings it built itself.
  // ---------------------------------------------------------------------------
  let moduleState = 'pending';
  let moduleError = null;
  let runState = 'idle';
  let runResult = null;
  let runError = null;
  let startError = null;

  function watchModule(promise) {
    // An own `constructor` of undefined makes `then` use the intrinsic Promise, so no
    // species constructor the transformation installed takes part.
    ObjectDefineProperty(promise, 'constructor', { value: undefined });
    apply(PromiseThen, promise, [
      () => { moduleState = 'ok'; },
      (e) => { moduleState = 'failed'; moduleError = e; },
    ]);
  }

  // The message RudderStack's host gets from a rejection: error.message, cloned out
  // and turned into text by `new Error(message)`.
  function rejectionMessage(message) {
    const problem = cloneProblem(message);
    if (problem !== null) return null;
    return message === undefined ? '' : hostString(message);
  }

  // forwardMainPromise in RudderStack's bootstrap: it runs inside the isolate, so
  // `Promise.resolve`, `then` and `catch` are whatever the transformation left there.
  // A settled wrapper promise is copied out; a rejection reports error.message; a
  // failing copy is a rejection too. A synchronous throw is caught by the host, which
  // reports its message.
  function start(payloadJson) {
    runState = 'running';
    try {
      const payload = JSONParse(payloadJson);
      const PromiseNow = Promise;
      const resolveFn = PromiseNow.resolve;
      if (typeof resolveFn !== 'function') throw notAFunction('Promise.resolve');
      const wrapped = apply(resolveFn, PromiseNow, [namespace.transformWrapper(payload, runtime)]);
      const thenFn = wrapped.then;
      if (typeof thenFn !== 'function') throw notAFunction('Promise.resolve(...).then');
      const chained = apply(thenFn, wrapped, [(value) => {
        if (runState !== 'running') return;
        const copied = encodeOut(value, outputDepthBudget);
        if (copied.clone !== undefined) throw hostError(TypeErrorCtor, copied.clone, start);
        if (copied.deep === true) {
          // The host's copy fails where nothing catches it: the request waits until
          // USER_TRANSFORM_TIMEOUT.
          runState = 'deep';
          return;
        }
        if (copied.encode !== undefined) {
          runState = 'encode-failed';
          runError = copied.encode;
          return;
        }
        runResult = copied.undefined === true ? '' : copied.text;
        runState = 'done';
      }]);
      const catchFn = chained !== null && chained !== undefined ? chained.catch : undefined;
      if (typeof catchFn !== 'function') {
        // The host sees this throw only after the isolate has drained its jobs, by which
        // time the `then` above may already have handed the result over.
        startError = 'Promise.resolve(...).then(...).catch is not a function';
        return;
      }
      apply(catchFn, chained, [(error) => {
        if (isOutOfMemory(error)) return;
        if (runState !== 'running') return;
        // Reading .message of null or undefined throws here: the promise never settles.
        const message = rejectionMessage(error.message);
        if (message === null) return;
        runState = 'failed';
        runError = message;
      }]);
    } catch (error) {
      if (isOutOfMemory(error)) return;
      if (error === null || error === undefined) {
        runState = 'failed';
        runError = '';
        return;
      }
      const message = rejectionMessage(error.message);
      runState = 'failed';
      runError = message === null ? '' : message;
    }
  }

  function flushIO() {
    const pending = newList();
    for (let i = 0; i < ioQueue.length; i += 1) append(pending, ioQueue[i]);
    ioQueue.length = 0;
    for (let i = 0; i < pending.length; i += 1) pending[i]();
    return pending.length;
  }

  function exportedFunctions() {
    let found = '';
    const names = ['transformEvent', 'transformBatch'];
    for (let i = 0; i < names.length; i += 1) {
      if (typeof namespace[names[i]] === 'function') found += (found === '' ? '' : ',') + names[i];
    }
    return found;
  }

  function json(fields) {
    const keys = ObjectKeys(fields);
    let text = '{';
    for (let i = 0; i < keys.length; i += 1) {
      const v = fields[keys[i]];
      text += (i > 0 ? ',' : '') + JSONStringify(keys[i]) + ':' + (v === null ? 'null' : JSONStringify(v));
    }
    return text + '}';
  }

  function fields(pairs) {
    const out = record();
    for (let i = 0; i < pairs.length; i += 2) out[pairs[i]] = pairs[i + 1];
    return out;
  }

  // QuickJS builds long concatenations as ropes, which the binding cannot hand to
  // Python; slicing makes them flat.
  const flat = (text) => (typeof text === 'string' ? apply(StringSlice, text, [0]) : text);

  return function control(command, arg) {
    return flat(answer(command, arg));
  };

  function answer(command, arg) {
    switch (command) {
      case 'watch-module': watchModule(arg); return '';
      // On V8 the host sees the module's evaluation settle and reports it here.
      case 'module-ok': moduleState = 'ok'; return '';
      case 'module-failed': moduleState = 'failed'; moduleError = arg; return '';
      case 'module-state': {
        if (moduleState === 'failed' && isOutOfMemory(moduleError)) return json(fields(['state', 'oom']));
        if (moduleState === 'ok' && namespace === null) return json(fields(['state', 'failed', 'error', 'Error: gen: the module did not finish loading']));
        return json(fields(['state', moduleState, 'error', moduleState === 'failed' ? errorHeader(moduleError) : null]));
      }
      case 'exports': return exportedFunctions();
      case 'start': start(arg); return '';
      case 'flush-io': return '' + flushIO();
      case 'run-state': {
        // A throw in forwardMainPromise after it registered `then` rejects the run unless
        // the result was handed over in the same turn.
        const failedToStart = runState === 'running' && startError !== null;
        const state = outOfMemory ? 'oom' : failedToStart ? 'failed' : runState;
        return json(fields(['state', state, 'error', failedToStart ? startError : runError, 'pendingIO', ioQueue.length]));
      }
      case 'run-result': return runResult;
      // The V8 host is done with this context. Node never frees a vm.SourceTextModule, and a
      // module keeps its whole context alive: what a group left here is dropped now, so that
      // only the compiled code stays behind (docs/runtime.md, The V8 engine).
      case 'release': runResult = null; logs.length = 0; ioQueue.length = 0; namespace = null; return '';
      // The V8 host reuses this context for another group (v8host.cjs, Reused contexts):
      // everything a group leaves in this prelude goes back to how setup left it.
      case 'reset':
        moduleState = 'pending'; moduleError = null; runState = 'idle'; runResult = null; runError = null;
        startError = null; outOfMemory = false; logs.length = 0; ioQueue.length = 0; namespace = null;
        return '';
      case 'logs': {
        let text = '[';
        for (let i = 0; i < logs.length; i += 1) text += (i > 0 ? ',' : '') + JSONStringify(logs[i]);
        return text + ']';
      }
      default: throw construct(ErrorCtor, ['unknown control command ' + command]);
    }
  }
})
