

// Appended to the transformation by gen's local runtime, as rudder-transformer
// appends its own transformWrapper (src/util/ivmFactory.js): it lives in the
// transformation's module scope and calls transformEvent / transformBatch by
// name. Line numbers of the transformation above are unchanged.
export async function transformWrapper(payload, runtime) {
  const messages = payload.events.map((item) => item.message);
  const metadataById = {};
  payload.events.forEach((item) => {
    metadataById[item.message.messageId] = item.metadata;
  });
  const isPlainObject = (value) => Object.prototype.toString.call(value) === '[object Object]';
  const metadata = (event) =>
    runtime.projectMetadata(event ? metadataById[event.messageId] || {} : {});
  const results = [];

  if (payload.transformationType === 'transformBatch') {
    let batch;
    try {
      batch = await transformBatch(messages, metadata);
    } catch (error) {
      if (runtime.isOutOfMemory(error)) throw error;
      results.push({ error: extractStackTrace(runtime.stackOf(error), ['transformBatch']), metadata: {} });
      return results;
    }
    if (!Array.isArray(batch)) {
      results.push({ error: 'returned events from transformBatch(event) is not an array', metadata: {} });
      return results;
    }
    return batch.map((event) => (isPlainObject(event)
      ? { transformedEvent: event, metadata: metadata(event) }
      : { error: 'returned event in events array from transformBatch(events) is not an object', metadata: {} }));
  }

  await Promise.all(messages.map(async (message) => {
    const messageId = message.messageId;
    try {
      const output = await transformEvent(message, metadata);
      if (output === null || output === undefined) return;
      const own = metadataById[messageId] || {};
      if (Array.isArray(output)) {
        // every() skips holes, as RudderStack's wrapper does: one bad element
        // discards the whole array.
        const produced = [];
        const allObjects = output.every((event) => {
          if (isPlainObject(event)) {
            produced.push({ transformedEvent: event, metadata: own });
            return true;
          }
          results.push({ error: 'returned event in events array from transformEvent(event) is not an object', metadata: own });
          return false;
        });
        if (allObjects) results.push(...produced);
        return;
      }
      if (!isPlainObject(output)) {
        results.push({ error: 'returned event from transformEvent(event) is not an object', metadata: own });
        return;
      }
      results.push({ transformedEvent: output, metadata: own });
    } catch (error) {
      if (runtime.isOutOfMemory(error)) throw error;
      results.push({ error: extractStackTrace(runtime.stackOf(error), ['transformEvent']), metadata: metadataById[messageId] || {} });
    }
  }));
  return results;
}
import * as __gen_namespace_of_transformation from '<input>';
Object.defineProperty(globalThis, '__gen_namespace', { value: __gen_namespace_of_transformation, configurable: true });
