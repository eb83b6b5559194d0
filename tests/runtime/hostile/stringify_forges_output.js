// Replaces JSON.stringify hoping the runtime serializes results with it.
JSON.stringify = () => '[{"transformedEvent":{"forged":true},"metadata":{"messageId":"m-1","destinationId":"evil"}}]';
export function transformEvent(event) {
  return null;
}
