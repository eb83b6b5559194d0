// Reads, then changes, every kind of realm state a transformation can reach: what it read
// is the output. In a fresh context (RudderStack's isolate per request) every run reads
// the same; a reused context must never show one run's change to the next.
const seenAtLoad = {
  globalProperty: typeof globalThis.__realmLeak,
  mapFlag: Array.prototype.map.flag === undefined,
  stackTraceLimit: Error.stackTraceLimit,
  regexpInput: RegExp.input,
  regexpLastMatch: RegExp.lastMatch,
  regexpParen: RegExp.$1,
  mathExtensible: Object.isExtensible(Math),
  jsonToString: Object.prototype.toString.call(JSON),
  iteratorNext: typeof Object.getPrototypeOf([][Symbol.iterator]()).leak,
  functionPrototype: typeof Object.getPrototypeOf(function* () {}).leak,
  unscopables: Array.prototype[Symbol.unscopables].leak === undefined,
  logExtra: typeof log.leak,
  dateProto: Object.getPrototypeOf(Date.prototype) === Object.prototype,
  varFromEval: typeof globalThis.fromIndirectEval,
};

export function transformEvent(event) {
  const first = { ...seenAtLoad };
  globalThis.__realmLeak = 1;
  Array.prototype.map.flag = true;
  Error.stackTraceLimit = 3;
  RegExp.input = 'changed';
  /(le)ak/.exec('a leak');
  Object.preventExtensions(Math);
  Object.defineProperty(JSON, Symbol.toStringTag, { value: 'Changed' });
  Object.getPrototypeOf([][Symbol.iterator]()).leak = 1;
  Object.getPrototypeOf(function* () {}).leak = 1;
  Array.prototype[Symbol.unscopables].leak = true;
  log.leak = 1;
  Object.setPrototypeOf(Date.prototype, null);
  (0, globalThis.Function)('return this')().fromIndirectEval = 1;
  return { ...event, properties: { seen: first } };
}
