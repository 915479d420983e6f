-- One mail per person per change: the e-mail notifications one message carries share its Message-ID
-- (derived from their ids), and are claimed, sent and recorded together. A digest window lets later
-- notifications to one address join a mail still waiting (never attempted, not claimed).
create index notifications_message_idx on notify.notifications (message_id);
create index notifications_digest_idx on notify.notifications (recipient, next_attempt_at)
  where channel = 'email' and status = 'pending' and attempts = 0;
