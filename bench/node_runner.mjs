// Runs bench/transformation.js on plain Node, doing per request what the runtime
// benchmark measures: JSON.parse the batch, transformEvent each event,
// JSON.stringify the outputs.
//
//   node bench/node_runner.mjs [--batch 200] [--warmup 1] [--repeat 1] [--transformation FILE] [events.json]
//
// Events come from the file argument or stdin (a JSON array). Prints one JSON line.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function parseArgs(argv) {
  const options = { batch: 200, warmup: 1, repeat: 1, file: null, transformation: null };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i].replace(/^--/, '');
    if (flag === 'transformation') options.transformation = argv[(i += 1)];
    else if (flag !== argv[i] && flag in options) options[flag] = Number(argv[(i += 1)]);
    else options.file = argv[i];
  }
  return options;
}

// The runtime hands transformEvent a function that projects the request metadata
// of an event; here the only metadata a request carries is the messageId.
const metadata = (event) => ({ messageId: event?.messageId });

function runBatch(transformEvent, text) {
  const events = JSON.parse(text);
  const outputs = [];
  for (const event of events) {
    const output = transformEvent(event, metadata);
    if (output !== null && output !== undefined) outputs.push(output);
  }
  // Serialising each output separately keeps the per-event texts for the checksum;
  // joined, they are byte-for-byte JSON.stringify(outputs).
  const parts = outputs.map((output) => JSON.stringify(output));
  return { body: `[${parts.join(',')}]`, parts };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const here = dirname(fileURLToPath(import.meta.url));
  const module = options.transformation ?? join(here, 'transformation.js');
  const { transformEvent } = await import(pathToFileURL(module).href);
  const all = JSON.parse(readFileSync(options.file ?? 0, 'utf8'));
  const batches = [];
  for (let i = 0; i < all.length; i += options.batch) batches.push(JSON.stringify(all.slice(i, i + options.batch)));

  for (const text of batches.slice(0, options.warmup)) runBatch(transformEvent, text);

  const timings = [];
  let parts = [];
  let bytes = 0;
  for (let round = 0; round < options.repeat; round += 1) {
    parts = [];
    bytes = 0;
    const started = process.hrtime.bigint();
    for (const text of batches) {
      const answer = runBatch(transformEvent, text);
      bytes += answer.body.length;
      parts.push(answer.parts);
    }
    timings.push(Number(process.hrtime.bigint() - started) / 1e9);
  }

  const hash = createHash('sha1');
  let outputs = 0;
  for (const batchParts of parts) {
    for (const part of batchParts) hash.update(part, 'utf8');
    outputs += batchParts.length;
  }
  const result = {
    events: all.length,
    outputs,
    output_chars: bytes,
    seconds: median(timings),
    timings,
    sha1: hash.digest('hex'),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
