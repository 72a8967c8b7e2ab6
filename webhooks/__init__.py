"""Outbound webhooks: signed HTTP POSTs to subscribers when something happens in processes.

- ``listeners`` remembers, per process, which active subscriptions listen to which events,
  so that an engine command nobody listens to pays no query;
- ``events`` turns what a command did into one ``Delivery`` per subscription, written in
  the command's transaction with a ``webhook.deliver`` job;
- ``sending`` is that job: it POSTs outside any transaction, records the attempt, retries
  with backoff and pauses a subscription whose deliveries keep failing.
"""
