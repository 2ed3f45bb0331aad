-- Connection events now have one schema per type (src/connections/lifecycle/events.ts): every payload
-- names the connection, its open id, merchant ref and status, and when it happened; moves also name
-- the status before. Events written by earlier versions are brought to that shape, so the feed reads
-- one closed catalog. Facts those versions did not record are filled with what they must have been
-- (a status the move always starts from) or, where several were possible, the most common one.

-- A TikTok webhook deauthorization was written as connection.needs_reauth; it is connection.deauthorized.
UPDATE outbox_events SET type = 'connection.deauthorized',
  payload = payload || CASE WHEN payload->>'reason' LIKE 'The creator%'
                            THEN '{"by": "creator", "webhookType": 20}'::jsonb ELSE '{"by": "seller", "webhookType": 6}'::jsonb END
WHERE type = 'connection.needs_reauth'
  AND payload->>'reason' IN ('The seller removed the app in TikTok Shop', 'The creator removed the app in TikTok Shop');

-- Facts of the connection and the time, where missing (what the payload has wins).
UPDATE outbox_events e SET payload = jsonb_build_object(
    'connectionId', e.connection_id, 'openId', c.open_id, 'merchantRef', c.merchant_ref,
    'occurredAt', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) || e.payload
FROM connections c WHERE c.id = e.connection_id;

-- The status each event left the connection in, and the one before, where missing.
UPDATE outbox_events SET payload = jsonb_build_object('status', 'active') || payload
WHERE type IN ('connection.created', 'connection.reauthorized', 'authorization.expiring', 'connection.refresh_requested');
UPDATE outbox_events SET payload = jsonb_build_object('status', 'needs_reauth', 'previousStatus', 'active') || payload
WHERE type IN ('connection.needs_reauth', 'connection.deauthorized');
UPDATE outbox_events SET payload = jsonb_build_object('status', 'expired', 'previousStatus', 'active', 'cause', 'sweeper') || payload
WHERE type = 'connection.expired';
UPDATE outbox_events SET payload = jsonb_build_object('cause', 'refresh') || payload WHERE type = 'connection.needs_reauth';
UPDATE outbox_events SET payload = jsonb_build_object('status', 'suspended', 'previousStatus', 'active') || payload WHERE type = 'connection.suspended';
UPDATE outbox_events SET payload = jsonb_build_object('status', 'active', 'previousStatus', 'suspended') || payload WHERE type = 'connection.resumed';
UPDATE outbox_events SET payload = jsonb_build_object('status', 'revoked', 'previousStatus', 'active') || payload WHERE type = 'connection.revoked';
UPDATE outbox_events SET payload = jsonb_build_object('previousStatus', 'active') || payload WHERE type = 'connection.reauthorized';
UPDATE outbox_events SET payload = jsonb_build_object('source', 'sweep') || payload WHERE type = 'authorization.expiring';
UPDATE outbox_events SET payload = jsonb_build_object('reason', NULL) || payload
WHERE type IN ('connection.suspended', 'connection.resumed', 'connection.revoked', 'connection.needs_reauth', 'connection.expired', 'connection.deauthorized');
