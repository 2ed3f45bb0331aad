import type { Server } from 'node:http';
import express from 'express';
import pg from 'pg';

/**
 * The floor the service is measured against, in a process of its own: plain Express 5 + pg, a pool
 * of 10, no logging, plain JSON. `/floor/:id` is the simplest route there is (one table, one
 * primary-key read of a 64-byte value: the headline baseline); `/join/shops/:shopId/token` does the
 * service's shop ⋈ connection read (the second line). Only one of them is under load at a time.
 */
const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 10 });
const app = express();
app.disable('x-powered-by');
app.get('/floor/:id', async (req, res) => {
  const { rows } = await pool.query('SELECT id, value FROM bench_floor WHERE id = $1', [req.params.id]);
  res.json(rows[0]);
});
app.get('/join/shops/:shopId/token', async (req, res) => {
  const { rows } = await pool.query(
    `SELECT s.id, s.cipher, c.id AS connection_id, c.status, c.granted_scopes, c.access_token_sealed, c.access_token_expires_at
       FROM shops s JOIN connections c ON c.id = s.connection_id WHERE s.id = $1 AND s.removed_at IS NULL`,
    [req.params.shopId],
  );
  res.json(rows[0]);
});
const server = await new Promise<Server>((resolve) => {
  const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
});
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })}\n`);
process.once('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
