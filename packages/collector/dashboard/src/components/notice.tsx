import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, describeFailure } from '../api.js';

interface ErrorProps {
  error: unknown;
  /** Offered as a button, and run by itself once a 429's or 503's `Retry-After` has passed. */
  onRetry?: () => void;
}

/** A failure in words, never a blank page; what can be retried can be retried. */
export function ErrorNotice({ error, onRetry }: ErrorProps) {
  const wait = error instanceof ApiFailure ? error.retryAfter : null;
  const [left, setLeft] = useState(wait);
  useEffect(() => {
    setLeft(wait);
    if (wait === null || !onRetry) return;
    const started = Date.now();
    const timer = setInterval(() => {
      const remaining = wait - Math.floor((Date.now() - started) / 1000);
      if (remaining <= 0) {
        clearInterval(timer);
        onRetry();
      } else setLeft(remaining);
    }, 1000);
    return () => clearInterval(timer);
  }, [error, wait, onRetry]);
  return (
    <div class="notice error" role="alert">
      <p>{describeFailure(error)}</p>
      {onRetry && (
        <p>
          <button type="button" onClick={onRetry}>
            Try again
          </button>
          {left !== null && left > 0 && <span class="muted"> (trying again by itself in {left} s)</span>}
        </p>
      )}
    </div>
  );
}

/** The contract's script tag, pointing at this collector, with a placeholder write key. */
export function scriptTag(collector: string): string {
  const base = collector.replace(/\/$/, '');
  return [
    '<script>window.lasttouch=window.lasttouch||function(){(lasttouch.q=lasttouch.q||[]).push(arguments)}</script>',
    `<script async src="${base}/lasttouch.js" data-site="YOUR_WRITE_KEY" data-api="${base}"></script>`,
  ].join('\n');
}

/** Nothing counted in the range: what to do about it. */
export function EmptyState({ collector }: { collector: string }) {
  return (
    <div class="notice empty-state" id="empty-state">
      <h2>Nothing counted in this range yet</h2>
      <p>
        If the store does not send events yet, paste this tag into every page of the store (in the{' '}
        <code>&lt;head&gt;</code>), with the site's <strong>write key</strong> (it starts with <code>ltw_</code>) in
        place of <code>YOUR_WRITE_KEY</code>:
      </p>
      <pre>
        <code>{scriptTag(collector)}</code>
      </pre>
      <p>
        Then mark widgets up with <code>data-lt-widget</code> and <code>data-lt-id</code>, and report orders with{' '}
        <code>lasttouch('checkout', …)</code>. If the tag is already in place, pick a longer range.
      </p>
    </div>
  );
}
