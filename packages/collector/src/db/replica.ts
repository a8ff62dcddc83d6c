/** What a read needs of D1: a database, or a session on one. */
export type D1Reader = Pick<D1Database, 'prepare' | 'batch'>;

/**
 * A session for a dashboard's reads: with D1 read replication turned on for the database, its
 * queries may be answered by the replica nearest the merchant instead of the primary. A replica
 * can lag the primary by a few seconds, no more than the queue already puts between a 202 and
 * the stats, so stats read here are as fresh as a merchant can rely on. Reads that must see a
 * write just made (an order's audit after `POST /v1/orders`, keys, settings) stay on the
 * primary. Without replication, or in local workerd, the session simply uses the primary.
 */
export const replicaReader = (db: D1Database): D1Reader => db.withSession('first-unconstrained');
