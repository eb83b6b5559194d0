export async function transformEvent(event) {
  try {
    return { geo: await geolocation(event.context.ip) };
  } catch (error) {
    return { rejected: error.message };
  }
}
