export async function transformEvent(event) {
  const url = event.properties.url;
  if (event.event === "fetch") return { result: await fetch(url) };
  try {
    return { result: await fetchV2(url) };
  } catch (error) {
    return { rejected: true, mentionsUrl: String(error.message).includes(event.properties.mention) };
  }
}
