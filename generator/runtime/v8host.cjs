// gen's V8 engine: a Node.js process that answers transformation groups for the
// Python driver (generator/runtime/v8.py), on V8, the engine RudderStack runs.
//
// Each group gets what createIvm gives it in rudder-transformer: a fresh V8 context
// (node:vm), the same sandbox prelude as the QuickJS engine (sandbox.js), and the
// transformation compiled as an ES module with the wrapper appended (wrapper.js).
// The work happens on a worker thread whose heap is capped like RudderStack's isolate
// (ISOLATE_VM_MEMORY): running out of memory ends the worker, not this process.
//
// Protocol, one request at a time on stdin/stdout: a header line (JSON) and a payload
// line (JSON text, passed through untouched); the answer is a header line and a
// result line. Started by v8.py with --experimental-vm-modules and --expose-internals
// (the latter only to read where a SyntaxError is, as isolated-vm reports it).
'use strict';

const { isMainThread, parentPort, Worker } = require('node:worker_threads');

// Heap a worker may hold beyond the isolate's memory limit (ISOLATE_VM_MEMORY): its own
// prelude and what earlier groups left behind. Past it, the worker is replaced.
const SLACK_MB = 24;

if (isMainThread) {
  main();
} else {
  worker();
}

function main() {
  const readline = require('node:readline');
  const codes = new Map(); // code key -> transformation source, kept across worker restarts
  let current = null; // { worker, limitsKey }
  const queue = [];
  let busy = false;
  let header = null;

  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  input.on('line', (line) => {
    if (header === null) {
      header = JSON.parse(line);
      return;
    }
    queue.push({ header, payload: line });
    header = null;
    pump();
  });
  let closing = false;
  input.on('close', () => {
    closing = true;
    pump();
  });

  function reply(answer, result) {
    process.stdout.write(JSON.stringify(answer) + '\n' + (result || '') + '\n');
  }

  function workerFor(limits) {
    const key = JSON.stringify(limits);
    if (current !== null && current.limitsKey === key) return current;
    if (current !== null) current.worker.terminate();
    const w = new Worker(__filename, {
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb + SLACK_MB, stackSizeMb: limits.stackMb },
      stdout: true,
      stderr: true,
    });
    current = { worker: w, limitsKey: key, pending: null };
    const mine = current;
    w.on('message', (msg) => {
      const done = mine.pending;
      mine.pending = null;
      if (msg.recycle && current === mine) {
        current = null;
        mine.retired = true;
        w.terminate();
      }
      if (done) done(msg.answer, msg.result);
    });
    const died = (error) => {
      if (current === mine) current = null;
      if (mine.retired) return;
      const done = mine.pending;
      mine.pending = null;
      if (done) {
        const oom = error && error.code === 'ERR_WORKER_OUT_OF_MEMORY';
        done(oom ? { kind: 'oom' } : { kind: 'crash', error: String(error && error.stack || error) });
      }
    };
    w.on('error', died);
    w.on('exit', (code) => died(code === 0 ? null : new Error('the V8 worker exited with code ' + code)));
    return current;
  }

  function pump() {
    if (busy) return;
    if (queue.length === 0) {
      if (closing && current !== null) current.worker.terminate();
      return;
    }
    busy = true;
    const { header: h, payload } = queue.shift();
    const finish = (answer, result) => {
      reply(answer, result);
      busy = false;
      pump();
    };
    if (typeof h.code === 'string') codes.set(h.codeKey, h.code);
    const code = codes.get(h.codeKey);
    if (code === undefined) {
      finish({ kind: 'crash', error: 'gen: unknown transformation ' + h.codeKey });
      return;
    }
    const w = workerFor(h.limits);
    w.pending = finish;
    w.worker.postMessage({ header: { ...h, code }, payload });
  }
}

function worker() {
  const vm = require('node:vm');
  const v8 = require('node:v8');
  const crypto = require('node:crypto');
  let arrowSymbol = null;
  try {
    // eslint-disable-next-line node/no-missing-require
    const { internalBinding } = require('internal/test/binding');
    arrowSymbol = internalBinding('util').privateSymbols.arrow_message_private_symbol;
  } catch (e) {
    arrowSymbol = null; // without --expose-internals a syntax error has no location
  }
  process.on('unhandledRejection', () => {});

  const fs = require('node:fs');
  const path = require('node:path');
  const read = (file) => fs.readFileSync(path.join(__dirname, file), 'utf8');
  const sandboxScript = new vm.Script(read('sandbox.js'), { filename: 'gen-sandbox.js' });
  const wrapper = read('wrapper.js');
  const hookName = '__gen_host_' + crypto.randomBytes(8).toString('hex');
  const hookCall = new vm.Script('globalThis[' + JSON.stringify(hookName) + ']()', { filename: 'gen-host.js' });

  parentPort.on('message', async ({ header, payload }) => {
    let answer;
    let result = '';
    try {
      [answer, result] = await runGroup(header, payload);
    } catch (error) {
      answer = { kind: 'crash', error: String(error && error.stack || error) };
    }
    // Node never frees a vm.SourceTextModule (about 0.5 MB a group here), so a worker
    // whose live heap has grown past its slack is replaced before the next group.
    // Reused contexts (below) are live heap by design: they count as the worker's floor,
    // and a worker that made no module since it last looked has nothing new to leak.
    let recycle = false;
    if (modulesMade > 0 && v8.getHeapStatistics().used_heap_size > heapFloor + SLACK_MB * 1024 * 1024) {
      global.gc();
      modulesMade = 0;
      recycle = v8.getHeapStatistics().used_heap_size > heapFloor + SLACK_MB * 1024 * 1024 / 2;
    }
    parentPort.postMessage({ answer, result, recycle });
  });

  let modulesMade = 0; // vm.SourceTextModules made since the heap was last checked
  const PLAIN_GLOBAL = vm.constants && vm.constants.DONT_CONTEXTIFY !== undefined ? vm.constants.DONT_CONTEXTIFY : undefined;
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const isTimeout = (e) => e !== null && typeof e === 'object' && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
  const millis = (seconds) => Math.max(1, Math.ceil(seconds * 1000));

  // A fresh context with the sandbox prelude, and the means to call into it under a time limit.
  function newContext(hostJson, receiver, token, outputDepthBudget) {
    // An ordinary global object where Node has one (22.8+): a "contextified" one answers
    // every global lookup through an interceptor, which makes built-ins several times
    // slower to reach than in RudderStack's isolate.
    const ctx = vm.createContext(PLAIN_GLOBAL, { microtaskMode: 'afterEvaluate' });
    const control = sandboxScript.runInContext(ctx)(hostJson, receiver, token, outputDepthBudget);
    let pending = null;
    Object.defineProperty(ctx, hookName, {
      value: function () {
        const fn = pending;
        pending = null;
        return fn === null ? undefined : fn();
      },
      writable: false, enumerable: false, configurable: false,
    });
    // Run one function in the context under a time limit; the context's microtasks run
    // before it returns, within the same limit (microtaskMode: afterEvaluate).
    const within = (seconds, fn) => {
      let out;
      pending = () => { out = fn(); };
      hookCall.runInContext(ctx, { timeout: millis(seconds) });
      return out;
    };
    const call = (seconds, command, arg) => within(seconds, () => control(command, arg));
    return { ctx, control, call, within };
  }

  async function runGroup(h, payload) {
    if (h.reuse && !h.loadOnly) {
      const warm = await runWarm(h, payload);
      if (warm !== null) return warm;
    }
    const { ctx, control, call } = newContext(h.hostJson, h.receiver, h.token, h.outputDepthBudget);

    // createIvm: compile, link, evaluate, check the exports.
    const loadStarted = performance.now();
    const left = () => h.executionTimeout - (performance.now() - loadStarted) / 1000;
    let module;
    modulesMade += 1;
    try {
      module = new vm.SourceTextModule(h.code + wrapper + h.tail, { context: ctx, identifier: h.name });
    } catch (error) {
      return [{ kind: 'error', error: syntaxError(error, h.name) }, ''];
    }
    try {
      await module.link((specifier) => {
        if (specifier === '<input>') return module;
        throw new Error('import from ' + specifier + ' failed. Module not found.');
      });
    } catch (error) {
      return [{ kind: 'error', error: String(error) }, ''];
    }
    let settled = null;
    module.evaluate({ timeout: millis(left()) }).then(
      () => { settled = { ok: true }; },
      (error) => { settled = { error }; },
    );
    await tick();
    if (settled === null) {
      try {
        call(Math.max(left(), 0.001), 'module-state');
      } catch (error) {
        if (isTimeout(error)) return [{ kind: 'error', error: 'Error: Script execution timed out.' }, ''];
        throw error;
      }
      await tick();
    }
    if (settled === null) return [{ kind: 'pending' }, ''];
    if (settled.error !== undefined) {
      if (isTimeout(settled.error)) return [{ kind: 'error', error: 'Error: Script execution timed out.' }, ''];
      control('module-failed', settled.error);
    } else {
      control('module-ok');
    }
    const state = JSON.parse(control('module-state'));
    if (state.state !== 'ok') return [{ kind: 'module', state }, ''];
    const exports = control('exports');
    const transformType = exports.split(',').filter(Boolean);
    if (transformType.length !== 1) return [{ kind: 'exports', found: transformType }, ''];
    if (h.loadOnly) return [{ kind: 'loaded' }, ''];
    return transform(h, payload, control, call, transformType[0]);
  }

  // transform: start the wrapper, drain, then answer host I/O until nothing is left.
  function transform(h, payload, control, call, transformType) {
    const fullPayload = '{"events":' + payload + ',"transformationType":' + JSON.stringify(transformType) + '}';
    try {
      call(h.executionTimeout, 'start', fullPayload);
    } catch (error) {
      if (isTimeout(error)) return [{ kind: 'error', error: 'Error: Script execution timed out.' }, ''];
      throw error;
    }
    const started = performance.now();
    let run;
    for (;;) {
      run = JSON.parse(control('run-state'));
      if (run.state !== 'running' || !run.pendingIO) break;
      const later = h.transformTimeout - (performance.now() - started) / 1000;
      try {
        if (later <= 0) throw Object.assign(new Error('timed out'), { code: 'ERR_SCRIPT_EXECUTION_TIMEOUT' });
        call(later, 'flush-io');
      } catch (error) {
        // Work after host I/O runs outside isolated-vm's timeout; only the request's
        // wall-clock race (USER_TRANSFORM_TIMEOUT) ends it.
        if (isTimeout(error)) return [{ kind: 'error', error: 'Error: Error: Timed out' }, ''];
        throw error;
      }
    }
    const logs = JSON.parse(control('logs'));
    const result = run.state === 'done' ? control('run-result') : '';
    control('release');
    return [{ kind: 'run', state: run.state, error: run.error, logs, function: transformType }, result];
  }

  // ---------------------------------------------------------------------------
  // Reused contexts (gen replay). RudderStack gives every group a fresh isolate, so V8's
  // JIT starts cold on every request of 200 events and the transformation runs at a
  // third of its speed. A reused context answers the same as a fresh one when three
  // things hold, and it is used only then (docs/runtime.md, Reused contexts):
  //  - the module's top level runs again for every group, so its state is fresh: the
  //    module, with its one `export` keyword blanked, is the body of a function the
  //    context calls once per group. V8 checks that blanking that keyword removes the
  //    module's only export (so it was the keyword, not text in a string or comment),
  //    and the code must not name what a function body has and a module lacks
  //    (`arguments`, direct `eval`) or need a module (`import`).
  //  - every group starts from the realm the sandbox set up: after each group, every
  //    object reachable from the global object and the intrinsics is compared with what
  //    it was (prototype, extensibility, every own property); a group that changed
  //    anything, left work pending, timed out or failed to load discards its context.
  //  - RegExp's legacy static state (RegExp.$1, RegExp.input) is reset before each group.
  // Closures made by the same function literal share JIT feedback, so the warm-up stays.
  // A stack overflow or running out of memory is always answered by fresh state (below,
  // and by the driver, engine.py): warm frames are smaller, and warm contexts share the
  // worker's heap.
  // ---------------------------------------------------------------------------
  const exportWord = /\bexport\b/g;
  const MAX_SLOTS = 4;
  let heapFloor = 0; // live heap right after the newest reused context was set up
  const plans = new Map(); // code key and name -> { name, factory: vm.Script } or null
  const slots = new Map(); // code key + host data -> slot, least recently used first
  const blank = (text, at) => text.slice(0, at) + '      ' + text.slice(at + 6);
  const plainWrapper = blank(wrapper, wrapper.search(exportWord));
  const REALM_EXTRAS = new vm.Script(
    '[Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(""[Symbol.iterator]()),' +
    ' Object.getPrototypeOf(new Map().entries()), Object.getPrototypeOf(new Set().values()),' +
    ' Object.getPrototypeOf(/(?:)/[Symbol.matchAll]("")), Object.getPrototypeOf(function* () {}),' +
    ' Object.getPrototypeOf(async function* () {}), Object.getPrototypeOf(async function () {}),' +
    ' Object.getPrototypeOf(async () => {}), (function () { "use strict"; return arguments; })(),' +
    ' typeof Iterator === "function" ? Object.getPrototypeOf([].values().map((x) => x)) : null,' +
    ' typeof Iterator === "function" ? Object.getPrototypeOf(Iterator.from({ next() {} })) : null]',
    { filename: 'gen-realm.js' });
  const RESET_REGEXP = new vm.Script('RegExp.prototype.exec.call(/(?:)/, "")', { filename: 'gen-reset.js' });

  async function planFor(h) {
    const key = h.codeKey + '\n' + h.name; // the name is the file name in stack traces
    if (plans.has(key)) return plans.get(key);
    let plan = null;
    try {
      plan = await makePlan(h.code, h.name);
    } catch (error) {
      plan = null;
    }
    plans.set(key, plan);
    if (plans.size > 4 * MAX_SLOTS) plans.delete(plans.keys().next().value);
    return plan;
  }

  async function exportNames(source, name) {
    const scratch = vm.createContext(PLAIN_GLOBAL);
    modulesMade += 1;
    const module = new vm.SourceTextModule(source, { context: scratch, identifier: name });
    if (module.dependencySpecifiers.length !== 0) return null;
    await module.link(() => { throw new Error('no imports'); });
    return Reflect.ownKeys(module.namespace).filter((key) => typeof key === 'string');
  }

  async function makePlan(code, name) {
    // A "contextified" global (Node without DONT_CONTEXTIFY) keeps the built-ins behind an interceptor
    // the realm check cannot see through: such a host never reuses a context.
    if (PLAIN_GLOBAL === undefined) return null;
    if (/\b(?:import|arguments|eval)\b/.test(code)) return null;
    const exported = await exportNames(code + plainWrapper, name);
    if (exported === null || exported.length !== 1) return null;
    const found = [];
    for (const match of code.matchAll(exportWord)) found.push(match.index);
    for (const at of found) {
      const body = blank(code, at);
      let left;
      try {
        left = await exportNames(body + plainWrapper, name);
      } catch (error) {
        continue; // blanking text that was not the keyword broke the module
      }
      if (left === null || left.length !== 0) continue;
      const source = '(function () { "use strict"; return function () {\n' + body + plainWrapper +
        '\nreturn [' + exported[0] + ', transformWrapper];\n}; })()';
      return { name: exported[0], factory: new vm.Script(source, { filename: name, lineOffset: -1 }) };
    }
    return null;
  }

  async function slotFor(h) {
    const key = h.codeKey + '\n' + h.name + '\n' + h.outputDepthBudget + '\n' + h.hostJson;
    const found = slots.get(key);
    if (found !== undefined) {
      slots.delete(key);
      slots.set(key, found);
      return found;
    }
    const plan = await planFor(h);
    if (plan === null) return null;
    const receiver = '__gen_receive_' + crypto.randomBytes(8).toString('hex');
    const token = crypto.randomBytes(16).toString('hex');
    const context = newContext(h.hostJson, receiver, token, h.outputDepthBudget);
    const roots = [context.ctx, ...REALM_EXTRAS.runInContext(context.ctx)].filter((o) => o !== null);
    RESET_REGEXP.runInContext(context.ctx);
    const slot = { key, plan, receiver, token, ...context, roots, uses: 0, factory: plan.factory.runInContext(context.ctx) };
    slot.baseline = realm(roots);
    slots.set(key, slot);
    if (slots.size > MAX_SLOTS) slots.delete(slots.keys().next().value);
    global.gc();
    heapFloor = v8.getHeapStatistics().used_heap_size;
    return slot;
  }

  // Every object reachable from the roots: its prototype, extensibility and own properties.
  function realm(roots) {
    const seen = new Map();
    const stack = roots.slice();
    while (stack.length > 0) {
      const o = stack.pop();
      if (seen.has(o)) continue;
      const keys = Reflect.ownKeys(o);
      const proto = Object.getPrototypeOf(o);
      const record = [proto, Object.isExtensible(o), keys.length];
      for (let i = 0; i < keys.length; i += 1) {
        const d = Reflect.getOwnPropertyDescriptor(o, keys[i]);
        record.push(keys[i]);
        if ('value' in d) {
          const v = d.value;
          record.push(v, undefined, (d.writable ? 1 : 0) | (d.enumerable ? 2 : 0) | (d.configurable ? 4 : 0));
          if ((typeof v === 'object' && v !== null) || typeof v === 'function') stack.push(v);
        } else {
          record.push(d.get, d.set, 8 | (d.enumerable ? 2 : 0) | (d.configurable ? 4 : 0));
          if (d.get !== undefined) stack.push(d.get);
          if (d.set !== undefined) stack.push(d.set);
        }
      }
      if (proto !== null) stack.push(proto);
      seen.set(o, record);
    }
    return seen;
  }

  function sameRealm(before, after) {
    if (before.size !== after.size) return false;
    for (const [o, a] of before) {
      const b = after.get(o);
      if (b === undefined || b.length !== a.length) return false;
      for (let i = 0; i < a.length; i += 1) if (!Object.is(a[i], b[i])) return false;
    }
    return true;
  }

  const overflowed = (text) => typeof text === 'string' && text.includes('Maximum call stack size exceeded');

  function discard(slot) {
    if (slots.get(slot.key) === slot) slots.delete(slot.key);
  }

  // One group in a reused context, or null when it must run in a fresh one.
  async function runWarm(h, payload) {
    const slot = await slotFor(h);
    if (slot === null) return null;
    const { ctx, control, call, within, plan } = slot;
    control('reset');
    RESET_REGEXP.runInContext(ctx);
    let exportsPair;
    try {
      exportsPair = within(h.executionTimeout, slot.factory);
    } catch (error) {
      // A throw or a timeout at the module's top level: the fresh context's answer
      // carries the module's own stack and timing, so the group runs there.
      discard(slot);
      return null;
    }
    const namespace = Object.create(null);
    namespace[plan.name] = exportsPair[0];
    namespace.transformWrapper = exportsPair[1];
    ctx[slot.receiver](slot.token, namespace);
    control('module-ok');
    const exports = control('exports').split(',').filter(Boolean);
    if (exports.length !== 1 || exports[0] !== plan.name) {
      discard(slot);
      return null;
    }
    let answer;
    try {
      answer = transform(h, payload, control, call, plan.name);
    } catch (error) {
      discard(slot);
      throw error;
    }
    const [head, result] = answer;
    if (overflowed(result) || overflowed(head.error)) {
      // Warm code has smaller stack frames than cold code, so it overflows deeper: the
      // group runs again in a fresh context, for the depth RudderStack's cold code reaches.
      discard(slot);
      return null;
    }
    head.reused = slot.uses > 0;
    slot.uses += 1;
    if (head.kind !== 'run' || head.state === 'running' || !sameRealm(slot.baseline, realm(slot.roots))) {
      discard(slot);
    }
    return answer;
  }

  // isolated-vm's text for a module that does not compile: the message, then where.
  function syntaxError(error, name) {
    const head = String(error);
    const arrow = arrowSymbol !== null ? error[arrowSymbol] : undefined;
    if (typeof arrow !== 'string') return head;
    const lines = arrow.split('\n');
    const where = /:(\d+)$/.exec(lines[0] || '');
    const caret = (lines[2] || '').indexOf('^');
    if (where === null || caret < 0) return head;
    return head + ' [' + name + ':' + where[1] + ':' + (caret + 1) + ']';
  }
}
