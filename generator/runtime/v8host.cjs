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
    let recycle = false;
    if (v8.getHeapStatistics().used_heap_size > SLACK_MB * 1024 * 1024) {
      global.gc();
      recycle = v8.getHeapStatistics().used_heap_size > SLACK_MB * 1024 * 1024 / 2;
    }
    parentPort.postMessage({ answer, result, recycle });
  });

  const PLAIN_GLOBAL = vm.constants && vm.constants.DONT_CONTEXTIFY !== undefined ? vm.constants.DONT_CONTEXTIFY : undefined;
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const isTimeout = (e) => e !== null && typeof e === 'object' && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
  const millis = (seconds) => Math.max(1, Math.ceil(seconds * 1000));

  async function runGroup(h, payload) {
    // An ordinary global object where Node has one (22.8+): a "contextified" one answers
    // every global lookup through an interceptor, which makes built-ins several times
    // slower to reach than in RudderStack's isolate.
    const ctx = vm.createContext(PLAIN_GLOBAL, { microtaskMode: 'afterEvaluate' });
    const control = sandboxScript.runInContext(ctx)(h.hostJson, h.receiver, h.token, h.outputDepthBudget);
    let pending = null;
    Object.defineProperty(ctx, hookName, {
      value: function () {
        const fn = pending;
        pending = null;
        return fn === null ? undefined : fn();
      },
      writable: false, enumerable: false, configurable: false,
    });
    // Run one control call in the context under a time limit; the context's microtasks
    // run before it returns, within the same limit (microtaskMode: afterEvaluate).
    const call = (seconds, command, arg) => {
      let out;
      pending = () => { out = control(command, arg); };
      hookCall.runInContext(ctx, { timeout: millis(seconds) });
      return out;
    };

    // createIvm: compile, link, evaluate, check the exports.
    const loadStarted = performance.now();
    const left = () => h.executionTimeout - (performance.now() - loadStarted) / 1000;
    let module;
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

    // transform: start the wrapper, drain, then answer host I/O until nothing is left.
    const transformType = exports.split(',').filter(Boolean);
    if (transformType.length !== 1) return [{ kind: 'exports', found: transformType }, ''];
    if (h.loadOnly) return [{ kind: 'loaded' }, ''];
    const fullPayload = '{"events":' + payload + ',"transformationType":' + JSON.stringify(transformType[0]) + '}';
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
    return [{ kind: 'run', state: run.state, error: run.error, logs, function: transformType[0] }, result];
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
