/**
 * The database a new site goes to when the admin does not choose: the one with the fewest bytes
 * (D1 reports each database's size after every query). One cheap query per database.
 */
export async function leastFilledDatabase(env: object, names: readonly string[]): Promise<string> {
  const sizes = await Promise.all(
    names.map(async (name) => {
      const db = (env as Record<string, D1Database>)[name]!;
      const { meta } = await db.prepare('select 1').run();
      return { name, size: (meta as { size_after?: number }).size_after ?? 0 };
    }),
  );
  sizes.sort((a, b) => a.size - b.size || names.indexOf(a.name) - names.indexOf(b.name));
  return sizes[0]?.name ?? 'DB';
}
