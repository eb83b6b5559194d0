// The sandbox prelude: evaluated once in every fresh QuickJS context, before the
// transformation module. It turns a QuickJS global object into the one a
// RudderStack JavaScript transformation sees inside rudder-transformer's
// isolated-vm isolate (src/util/ivmFactory.js, src/util/ivm/sandboxBridge.js),
// and returns `control`, the only handle the Python driver keeps.
//
// It is a single function expression; nothing here is reachable from the
// transformation except the globals RudderStack itself defines.
(function (hostJson) {
  'use strict';

  const host = JSON.parse(hostJson);
  const g = globalThis;
  const FILE = host.name;
  const InternalErrorCtor = g.InternalError;
  const hasOwn = Object.prototype.hasOwnProperty;
  const toTag = (o) => Object.prototype.toString.call(o);

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
    [Iterator, ['concat', 'zip', 'zipKeyed']],
    [Iterator.prototype, ['chunks', 'windows', 'includes', 'join']],
    [Map.prototype, ['getOrInsert', 'getOrInsertComputed']],
    [WeakMap.prototype, ['getOrInsert', 'getOrInsertComputed']],
    [Math, ['f16round', 'sumPrecise']],
    [Promise, ['try']],
    [RegExp, ['escape']],
    [Uint8Array, ['fromBase64', 'fromHex']],
    [Uint8Array.prototype, ['setFromBase64', 'setFromHex', 'toBase64', 'toHex']],
  ];
  for (const name of removeGlobals) delete g[name];
  for (const [owner, names] of removeMembers) {
    for (const name of names) delete owner[name];
  }

  // ---------------------------------------------------------------------------
  // 2. Stack traces in V8's format, with the transformation's name as the file,
  //    so error strings read as RudderStack writes them.
  // ---------------------------------------------------------------------------
  function errorHeader(err) {
    if (err === null || (typeof err !== 'object' && typeof err !== 'function')) return String(err);
    let name = err.name;
    name = name === undefined ? 'Error' : String(name);
    let message = err.message;
    message = message === undefined ? '' : String(message);
    if (name === '') return message;
    if (message === '') return name;
    return name + ': ' + message;
  }

  function receiverType(receiver) {
    if (receiver === undefined || receiver === null || receiver === g) return null;
    if (typeof receiver === 'function') return receiver.name || 'Function';
    if (typeof receiver !== 'object') {
      return { string: 'String', number: 'Number', boolean: 'Boolean', bigint: 'BigInt', symbol: 'Symbol' }[typeof receiver] || null;
    }
    if (receiver === JSON) return 'JSON';
    if (receiver === Math) return 'Math';
    if (receiver === Reflect) return 'Reflect';
    const ctor = receiver.constructor;
    return (typeof ctor === 'function' && ctor.name) || 'Object';
  }

  // QuickJS does not expose the receiver of strict-mode frames, so built-ins
  // get the owner V8 names most often.
  const NATIVE_OWNERS = {
    JSON: ['parse', 'stringify'],
    Object: ['keys', 'values', 'entries', 'assign', 'fromEntries', 'defineProperty', 'freeze'],
    Promise: ['all', 'allSettled', 'race', 'any'],
    Array: ['map', 'forEach', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex',
      'findLast', 'findLastIndex', 'flatMap', 'sort', 'from', 'toSorted'],
    String: ['replace', 'replaceAll', 'split', 'match', 'matchAll'],
  };
  const nativeOwner = {};
  for (const owner of Object.keys(NATIVE_OWNERS)) {
    for (const fn of NATIVE_OWNERS[owner]) nativeOwner[fn] = owner;
  }

  function frameText(cs) {
    let fn = cs.getFunctionName();
    if (fn === '<eval>') fn = null;
    let receiver;
    try { receiver = cs.getThis(); } catch (e) { receiver = undefined; }
    const location = cs.isNative() ? '<anonymous>' : FILE + ':' + cs.getLineNumber() + ':' + cs.getColumnNumber();
    if (cs.isConstructor()) return 'new ' + (fn || '<anonymous>') + ' (' + location + ')';
    let type = receiverType(receiver);
    if (type === null && cs.isNative() && fn && hasOwn.call(nativeOwner, fn)) type = nativeOwner[fn];
    let label = fn;
    if (type !== null) {
      label = fn ? (fn.startsWith(type + '.') ? fn : type + '.' + fn) : type + '.<anonymous>';
    }
    return label ? label + ' (' + location + ')' : location;
  }

  // V8 keeps the 10 innermost frames (Error.stackTraceLimit), so a deep helper chain
  // can push transformEvent's frame out of the trace.
  const STACK_LIMIT = 10;
  Error.prepareStackTrace = function (err, callsites) {
    let text = errorHeader(err);
    for (const cs of callsites.slice(0, STACK_LIMIT)) text += '\n    at ' + frameText(cs);
    return text;
  };

  // An error raised by a host function (getCredential, log, fetch, ...) is
  // created in the isolate at the call site in RudderStack, so its stack starts
  // at the caller, not inside our shim.
  function hostError(Ctor, message, shim) {
    const err = new Ctor(message);
    Error.captureStackTrace(err, shim);
    return err;
  }

  // ---------------------------------------------------------------------------
  // 3. Copying values out of the isolate. rudder-transformer copies results with
  //    isolated-vm's ExternalCopy (V8's structured clone) and answers with
  //    JSON: structured clone refuses functions, symbols and some objects; JSON
  //    then drops undefined, turns NaN and Infinity into null and Dates into ISO
  //    strings, and fails on BigInt and cycles (a failed request, not an event
  //    error).
  // ---------------------------------------------------------------------------
  class CloneError extends Error {}
  class EncodeError extends Error {}

  function describeUncloneable(v) {
    if (typeof v === 'function') return Function.prototype.toString.call(v);
    if (typeof v === 'symbol') return v.toString();
    const ctor = v && v.constructor;
    return '#<' + ((typeof ctor === 'function' && ctor.name) || 'Object') + '>';
  }

  function uncloneable(v) {
    return new CloneError(describeUncloneable(v) + ' could not be cloned.');
  }

  // True when `v` is made only of JSON-native values, so JSON.stringify alone
  // reproduces clone-then-JSON exactly.
  function isPlainTree(v, depth) {
    switch (typeof v) {
      case 'string': case 'number': case 'boolean': case 'undefined': return true;
      case 'object': break;
      default: return false;
    }
    if (v === null) return true;
    if (depth > 200) return false;
    const proto = Object.getPrototypeOf(v);
    if (Array.isArray(v)) {
      if (proto !== Array.prototype) return false;
      for (let i = 0; i < v.length; i++) if (!isPlainTree(v[i], depth + 1)) return false;
      return true;
    }
    if (proto !== Object.prototype && proto !== null) return false;
    for (const k in v) {
      if (hasOwn.call(v, k) && !isPlainTree(v[k], depth + 1)) return false;
    }
    return true;
  }

  const UNCLONEABLE_TAGS = new Set([
    '[object Promise]', '[object WeakMap]', '[object WeakSet]', '[object WeakRef]',
    '[object FinalizationRegistry]', '[object Generator]', '[object AsyncGenerator]',
  ]);

  // Returns the JSON-ready value the host would hold after copy and JSON.
  function copyOut(v, ancestors) {
    switch (typeof v) {
      case 'string': case 'boolean': case 'undefined': return v;
      case 'number': return Number.isFinite(v) ? v : null;
      case 'bigint': throw new EncodeError('TypeError: Do not know how to serialize a BigInt');
      case 'function': case 'symbol': throw uncloneable(v);
      default: break;
    }
    if (v === null) return null;
    if (ancestors.includes(v)) {
      throw new EncodeError('TypeError: Converting circular structure to JSON');
    }
    const tag = toTag(v);
    if (UNCLONEABLE_TAGS.has(tag)) throw uncloneable(v);
    ancestors.push(v);
    try {
      if (Array.isArray(v)) {
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const item = i in v ? copyOut(v[i], ancestors) : undefined;
          out[i] = item === undefined ? null : item;
        }
        return out;
      }
      switch (tag) {
        case '[object Date]': {
          const t = v.getTime();
          return Number.isFinite(t) ? new Date(t).toISOString() : null;
        }
        case '[object Boolean]': return Boolean.prototype.valueOf.call(v);
        case '[object String]': return String.prototype.valueOf.call(v);
        case '[object Number]': {
          const n = Number.prototype.valueOf.call(v);
          return Number.isFinite(n) ? n : null;
        }
        case '[object BigInt]': throw new EncodeError('TypeError: Do not know how to serialize a BigInt');
        case '[object Map]':
          for (const [key, value] of Map.prototype.entries.call(v)) { copyOut(key, ancestors); copyOut(value, ancestors); }
          return {};
        case '[object Set]':
          for (const value of Set.prototype.values.call(v)) copyOut(value, ancestors);
          return {};
        case '[object RegExp]': case '[object Error]': case '[object ArrayBuffer]':
        case '[object DataView]': case '[object SharedArrayBuffer]':
          return {};
        default: break;
      }
      if (ArrayBuffer.isView(v)) {
        const out = {};
        for (let i = 0; i < v.length; i++) out[i] = copyOut(v[i], ancestors);
        return out;
      }
      const out = {};
      for (const key of Object.keys(v)) {
        const value = copyOut(v[key], ancestors);
        if (value !== undefined) out[key] = value;
      }
      return out;
    } finally {
      ancestors.pop();
    }
  }

  function encodeOut(v) {
    return JSON.stringify(isPlainTree(v, 0) ? v : copyOut(v, []));
  }

  // Arguments passed to a host function are copied the same way.
  function checkCloneable(args, shim) {
    try {
      copyOut(args, []);
    } catch (e) {
      if (e instanceof CloneError) throw hostError(Error, e.message, shim);
      if (!(e instanceof EncodeError)) throw e;
    }
  }

  // ---------------------------------------------------------------------------
  // 4. The globals RudderStack defines (sandboxBridge.js).
  // ---------------------------------------------------------------------------
  const logs = [];
  const credentials = host.credentials;
  const ioQueue = [];

  function log(...args) {
    checkCloneable(args, log);
    if (!host.testMode) return;
    let line = 'Log:';
    for (const arg of args) {
      let text;
      if (arg !== null && typeof arg === 'object') {
        try { text = JSON.stringify(copyOut(arg, [])); } catch (e) { return; }
      } else {
        text = typeof arg === 'bigint' ? arg.toString() : String(arg);
      }
      line += ' ' + text;
    }
    logs.push(line);
  }

  function getCredential(key) {
    checkCloneable([key], getCredential);
    if (key === null || key === undefined) {
      throw hostError(TypeError, 'Key should be valid and defined', getCredential);
    }
    const value = credentials[key];
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  function normalizeUrl(raw) {
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/.exec(String(raw));
    if (!m) return null;
    let rest = m[3];
    if (rest === '' || rest[0] === '?' || rest[0] === '#') rest = '/' + rest;
    return m[1].toLowerCase() + '://' + m[2].toLowerCase() + rest;
  }

  // Canned responses are keyed the way request URLs are compared: normalized.
  const cannedResponses = new Map();
  for (const url of Object.keys(host.fetch)) cannedResponses.set(normalizeUrl(url) || url, host.fetch[url]);

  const PRIVATE_HOST = /^(localhost|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|169\.254\.\d+\.\d+|0\.0\.0\.0|\[::1?\])(:\d+)?$/i;

  // What the network would answer: {ok: response} or {error: {...}}.
  function resolveRequest(url) {
    const normalized = normalizeUrl(url);
    if (normalized === null) {
      return { error: { message: 'Only absolute URLs are supported', name: 'TypeError' } };
    }
    const hostPart = normalized.split('://')[1].split(/[/?#]/)[0].replace(/^[^@]*@/, '');
    if (PRIVATE_HOST.test(hostPart)) {
      return { error: { message: 'request to ' + normalized + ' failed, reason: gen: RudderStack refuses requests to local and private addresses', type: 'system' } };
    }
    const canned = cannedResponses.get(normalized);
    if (canned === undefined) {
      return { error: { message: 'request to ' + normalized + ' failed, reason: gen: no canned response for this URL (the local runtime makes no network calls)', type: 'system' } };
    }
    if (canned.error !== undefined) {
      return { error: { message: 'request to ' + normalized + ' failed, reason: ' + canned.error, type: 'system' } };
    }
    return { ok: { url: normalized, status: canned.status, headers: canned.headers, body: canned.body } };
  }

  // Host I/O settles after the current job queue drains, as a real network
  // response would; the driver calls flushIO() when QuickJS runs out of jobs.
  function deferred(settle) {
    return new Promise((resolve, reject) => { ioQueue.push(() => settle(resolve, reject)); });
  }

  function fetch(...args) {
    checkCloneable(args, fetch);
    const answer = resolveRequest(args[0]);
    return deferred((resolve) => {
      if (answer.error) return resolve('ERROR');
      try { resolve(JSON.parse(answer.ok.body)); } catch (e) { resolve('ERROR'); }
    });
  }

  function fetchV2(...args) {
    checkCloneable(args, fetchV2);
    const answer = resolveRequest(args[0]);
    return deferred((resolve, reject) => {
      if (answer.error) return reject(answer.error);
      const response = answer.ok;
      let body = response.body;
      try { body = JSON.parse(body); } catch (e) { /* text body stays text */ }
      resolve({ url: response.url, status: response.status, headers: response.headers, body: body });
    });
  }

  function geolocation(...args) {
    checkCloneable(args, geolocation);
    const ip = String(args[0]);
    return deferred((resolve, reject) => {
      if (hasOwn.call(host.geolocation, ip)) return resolve(JSON.parse(JSON.stringify(host.geolocation[ip])));
      reject({ message: 'geolocation is not available right now' });
    });
  }

  // rudder-transformer's host-side extractStackTraceUptoLastSubstringMatch:
  // keep the stack up to the last line naming one of the given functions.
  function extractStackTrace(trace, names) {
    if (trace === undefined || trace === null) {
      throw new TypeError("Cannot read properties of " + trace + " (reading 'split')");
    }
    if (typeof trace.split !== 'function') throw new TypeError('trace.split is not a function');
    const lines = trace.split('\n');
    let last = 0;
    for (let i = lines.length - 1; i >= 0; i -= 1) {
      if (names.some((n) => lines[i].includes(n))) { last = i; break; }
    }
    return lines.slice(0, last + 1).join('\n');
  }

  const noop = function () {};
  const console = {};
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'dirxml', 'table',
    'group', 'groupCollapsed', 'groupEnd', 'clear', 'count', 'countReset', 'assert', 'profile',
    'profileEnd', 'time', 'timeLog', 'timeEnd', 'timeStamp', 'context']) {
    console[method] = noop;
  }

  const define = (name, value) => Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
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
  const METADATA_FIELDS = [
    'sourceId', 'sourceName', 'workspaceId', 'sourceType', 'sourceCategory', 'destinationId',
    'destinationType', 'destinationName', 'namespace', 'originalSourceId', 'trackingPlanId',
    'trackingPlanVersion', 'sourceTpConfig', 'mergedTpConfig', 'jobId', 'sourceJobId',
    'sourceJobRunId', 'sourceTaskRunId', 'recordId', 'messageId', 'messageIds', 'rudderId',
    'receivedAt', 'eventName', 'eventType', 'sourceDefinitionId', 'destinationDefinitionId',
    'transformationId', 'transformationVersionId',
  ];

  // QuickJS lets JavaScript catch an out-of-memory error; V8 disposes the
  // isolate instead, so the wrapper reports it as fatal.
  // With almost no memory left QuickJS throws its InternalError without a message, or
  // plain null when it cannot even allocate that. A transformation's own `throw null` is
  // therefore taken for an out-of-memory error too (docs/runtime.md).
  let outOfMemory = false;
  function isOutOfMemory(e) {
    if (e === null || (e instanceof InternalErrorCtor && (e.message === '' || /out of memory/.test(e.message)))) {
      outOfMemory = true;
      return true;
    }
    return false;
  }

  // error.stack as V8 would give it. Every V8 Error has a string stack; QuickJS builds
  // none for some errors it raises itself (stack overflow). Reading .stack of null or
  // undefined still throws, as it does in RudderStack's wrapper.
  function stackOf(error) {
    const stack = error.stack;
    if (typeof stack !== 'string' && error instanceof Error) return errorHeader(error);
    return stack;
  }

  const runtime = Object.freeze({
    projectMetadata(source) {
      const out = {};
      for (const field of METADATA_FIELDS) out[field] = source[field];
      return out;
    },
    isOutOfMemory,
    stackOf,
  });

  // ---------------------------------------------------------------------------
  // 6. The driver's handle: the Python side only ever calls control(...).
  // ---------------------------------------------------------------------------
  let namespace = null;
  let moduleState = 'pending';
  let moduleError = null;
  let runState = 'idle';
  let runResult = null;
  let runError = null;

  function watchModule(promise) {
    promise.then(
      () => { moduleState = 'ok'; },
      (e) => { moduleState = 'failed'; moduleError = e; },
    );
  }

  // forwardMainPromise in sandboxBridge.js: a settled wrapper promise is copied
  // out; a rejection reports error.message; a failing copy is a rejection too.
  function start(payloadJson) {
    const payload = JSON.parse(payloadJson);
    runState = 'running';
    Promise.resolve(namespace.transformWrapper(payload, runtime))
      .then((value) => {
        runResult = encodeOut(value);
        runState = 'done';
      })
      .catch((error) => {
        if (error instanceof EncodeError) {
          runState = 'encode-failed';
          runError = error.message;
          return;
        }
        if (isOutOfMemory(error)) return;
        if (error === null || error === undefined) return; // reading .message throws: never settles
        runState = 'failed';
        runError = error.message === undefined ? '' : String(error.message);
      });
  }

  function flushIO() {
    const pending = ioQueue.splice(0, ioQueue.length);
    for (const settle of pending) settle();
    return pending.length;
  }

  function exportedFunctions() {
    const found = [];
    for (const name of ['transformEvent', 'transformBatch']) {
      if (typeof namespace[name] === 'function') found.push(name);
    }
    return found;
  }

  return function control(command, arg) {
    switch (command) {
      case 'watch-module': watchModule(arg); return '';
      case 'module-state': {
        if (moduleState === 'ok' && namespace === null) {
          namespace = g.__gen_namespace;
          delete g.__gen_namespace;
        }
        if (moduleState === 'failed' && isOutOfMemory(moduleError)) return JSON.stringify({ state: 'oom' });
        return JSON.stringify({ state: moduleState, error: moduleState === 'failed' ? errorHeader(moduleError) : null });
      }
      case 'exports': return JSON.stringify(exportedFunctions());
      case 'start': start(arg); return '';
      case 'flush-io': return String(flushIO());
      case 'run-state':
        return JSON.stringify({
          state: outOfMemory ? 'oom' : runState,
          error: runError,
          pendingIO: ioQueue.length,
        });
      case 'run-result': return runResult;
      case 'logs': return JSON.stringify(logs);
      default: throw new Error('unknown control command ' + command);
    }
  };
})
