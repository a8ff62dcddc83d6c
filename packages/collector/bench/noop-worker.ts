/** The harness ceiling: reads the body (as the collector must) and answers 202 without work. */
export default {
  async fetch(request: Request): Promise<Response> {
    await request.arrayBuffer();
    return Response.json({ accepted: 0, duplicates: 0, rejected: [] }, { status: 202 });
  },
} satisfies ExportedHandler;
