/**
 * Erasure (`DELETE /v1/visitors/:id`, `DELETE /v1/customers/:id`): every row that names one of
 * the visitors (or the customer) is deleted or loses the id; the anonymous aggregates stay, so
 * past stats do not change, and the visitors' orders keep the contribution they had (`erased`:
 * re-attribution leaves them be). What is kept and what goes: docs/privacy.md.
 *
 * The statements are set-based (the visitor set is a subquery), so erasing a customer with many
 * devices is as many statements as erasing one visitor. Run in one D1 batch, in this order: the
 * links go last (`customer_visitors` the very last) because the other statements find the
 * customer's visitors through them.
 */
function erasureStatements(
  db: D1Database,
  siteId: string,
  visitors: string,
  bind: unknown[],
  customerHash: string | null,
): D1PreparedStatement[] {
  const s = (sql: string, ...extra: unknown[]) => db.prepare(sql).bind(siteId, ...bind, ...extra);
  const byVisitor = `visitor_id in (${visitors})`;
  const statements = [
    s(`delete from touches where site_id = ?1 and ${byVisitor}`),
    s(`delete from exposures where site_id = ?1 and ${byVisitor}`),
    s(`update order_reports set visitor_id = null where site_id = ?1 and ${byVisitor}`),
    s(`update orders set visitor_id = null, erased = 1 where site_id = ?1 and ${byVisitor}`),
    s(`update links set recipient_visitor = null where site_id = ?1 and recipient_visitor in (${visitors})`),
  ];
  if (customerHash !== null) {
    const c = bind.length + 2;
    statements.push(
      s(`update order_reports set customer_hash = null where site_id = ?1 and customer_hash = ?${c}`, customerHash),
      s(
        `update orders set customer_hash = null, erased = 1 where site_id = ?1 and customer_hash = ?${c}`,
        customerHash,
      ),
    );
  }
  statements.push(
    s(`delete from visitor_customers where site_id = ?1 and ${byVisitor}`),
    s(`delete from customer_visitors where site_id = ?1 and ${byVisitor}`),
  );
  return statements;
}

/** Erases one visitor. */
export const eraseVisitorStatements = (db: D1Database, siteId: string, visitorId: string): D1PreparedStatement[] =>
  erasureStatements(db, siteId, 'select ?2', [visitorId], null);

/** Erases a customer: every visitor tied to it, its links, its id on orders. */
export const eraseCustomerStatements = (db: D1Database, siteId: string, customerHash: string): D1PreparedStatement[] =>
  erasureStatements(
    db,
    siteId,
    'select visitor_id from customer_visitors where site_id = ?1 and customer_hash = ?2',
    [customerHash],
    customerHash,
  );
