// A hand-written transformation tested with rudder-cli's layout: lower-cases event names
// and drops internal heartbeats.
export function transformEvent(event, metadata) {
  if (event.event === 'heartbeat') return null;
  const source = metadata(event).sourceId || 'unknown';
  return { ...event, event: String(event.event || '').toLowerCase(), context: { ...event.context, source } };
}
