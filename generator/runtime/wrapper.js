
// Appended to the transformation by gen's local runtime, as rudder-transformer
// appends its own transformWrapper (src/util/ivmFactory.js): it lives in the
// transformation's module scope and calls transformEvent / transformBatch by
// name. Line numbers of the transformation above are unchanged.
//
// It does what RudderStack's wrapper does, operation by operation: the same
// built-ins, looked up at the same moments, because that wrapper runs inside the
// isolate and a transformation that replaces Array.prototype.push or Promise.all
// changes it (docs/security.md). Where V8 names the expression in a TypeError
// ("outputEvents.push is not a function"), `call` does too.
export async function transformWrapper(payload, runtime) {
  const call = (receiver, fn, args, expression) => {
    if (typeof fn !== 'function') throw runtime.notAFunction(expression);
    return runtime.apply(fn, receiver, args);
  };
  const events = payload.events;
  const transformType = payload.transformationType;
  let outputEvents = [];
  const eventMessages = call(events, events.map, [(item) => item.message], 'events.map');
  const eventsMetadata = {};
  call(events, events.forEach, [(item) => {
    eventsMetadata[item.message.messageId] = item.metadata;
  }], 'events.forEach');

  const isObject = (value) => {
    const toString = Object.prototype.toString;
    return call(toString, toString.call, [value], 'Object.prototype.toString.call') === '[object Object]';
  };

  // The 29-field projection RudderStack's metadata(event) returns, by the event's messageId.
  const metadata = function (event) {
    const found = event ? eventsMetadata[event.messageId] || {} : {};
    return {
      sourceId: found.sourceId,
      sourceName: found.sourceName,
      workspaceId: found.workspaceId,
      sourceType: found.sourceType,
      sourceCategory: found.sourceCategory,
      destinationId: found.destinationId,
      destinationType: found.destinationType,
      destinationName: found.destinationName,
      namespace: found.namespace,
      originalSourceId: found.originalSourceId,
      trackingPlanId: found.trackingPlanId,
      trackingPlanVersion: found.trackingPlanVersion,
      sourceTpConfig: found.sourceTpConfig,
      mergedTpConfig: found.mergedTpConfig,
      jobId: found.jobId,
      sourceJobId: found.sourceJobId,
      sourceJobRunId: found.sourceJobRunId,
      sourceTaskRunId: found.sourceTaskRunId,
      recordId: found.recordId,
      messageId: found.messageId,
      messageIds: found.messageIds,
      rudderId: found.rudderId,
      receivedAt: found.receivedAt,
      eventName: found.eventName,
      eventType: found.eventType,
      sourceDefinitionId: found.sourceDefinitionId,
      destinationDefinitionId: found.destinationDefinitionId,
      transformationId: found.transformationId,
      transformationVersionId: found.transformationVersionId,
    };
  };

  if (transformType === 'transformBatch') {
    let batch;
    try {
      batch = await transformBatch(eventMessages, metadata);
    } catch (error) {
      if (runtime.isOutOfMemory(error)) throw error;
      call(outputEvents, outputEvents.push, [
        { error: extractStackTrace(runtime.stackOf(error), [transformType]), metadata: {} },
      ], 'outputEvents.push');
      return outputEvents;
    }
    if (!call(Array, Array.isArray, [batch], 'Array.isArray')) {
      call(outputEvents, outputEvents.push, [
        { error: 'returned events from transformBatch(event) is not an array', metadata: {} },
      ], 'outputEvents.push');
      return outputEvents;
    }
    outputEvents = call(batch, batch.map, [(transformedEvent) => {
      if (!isObject(transformedEvent)) {
        return { error: 'returned event in events array from transformBatch(events) is not an object', metadata: {} };
      }
      return { transformedEvent, metadata: metadata(transformedEvent) };
    }], 'transformedEventsBatch.map');
    return outputEvents;
  }

  if (transformType === 'transformEvent') {
    const all = Promise.all;
    await call(Promise, all, [runtime.spreadable(call(eventMessages, eventMessages.map, [async (message) => {
      const messageId = message.messageId;
      try {
        const output = await transformEvent(message, metadata);
        if (output === null || output === undefined) return;
        if (call(Array, Array.isArray, [output], 'Array.isArray')) {
          // every() skips holes; one bad element discards the whole array.
          const produced = [];
          const allObjects = call(output, output.every, [(event) => {
            if (isObject(event)) {
              call(produced, produced.push, [
                { transformedEvent: event, metadata: eventsMetadata[messageId] || {} },
              ], 'producedEvents.push');
              return true;
            }
            call(outputEvents, outputEvents.push, [{
              error: 'returned event in events array from transformEvent(event) is not an object',
              metadata: eventsMetadata[messageId] || {},
            }], 'outputEvents.push');
            return false;
          }], 'transformedOutput.every');
          if (allObjects) {
            const push = outputEvents.push;
            call(outputEvents, push, [...runtime.spreadable(produced)], 'outputEvents.push');
          }
          return;
        }
        if (!isObject(output)) {
          return call(outputEvents, outputEvents.push, [{
            error: 'returned event from transformEvent(event) is not an object',
            metadata: eventsMetadata[messageId] || {},
          }], 'outputEvents.push');
        }
        call(outputEvents, outputEvents.push, [
          { transformedEvent: output, metadata: eventsMetadata[messageId] || {} },
        ], 'outputEvents.push');
        return;
      } catch (error) {
        if (runtime.isOutOfMemory(error)) throw error;
        return call(outputEvents, outputEvents.push, [{
          error: extractStackTrace(runtime.stackOf(error), [transformType]),
          metadata: eventsMetadata[messageId] || {},
        }], 'outputEvents.push');
      }
    }], 'eventMessages.map'))], 'Promise.all');
  }
  return outputEvents;
}
