// Demo storefront behaviour: close the pop-up, place orders, ask for tagged links.
const $ = (id) => document.getElementById(id);

$('popup')
  .querySelector('[data-lt-dismiss]')
  .addEventListener('click', () => {
    $('popup').hidden = true;
  });

$('checkout-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const value = Number($('checkout-value').value);
  const orderId = `demo-${crypto.randomUUID().slice(0, 8)}`;
  window.lasttouch('checkout', { orderId, value, currency: 'EUR' });
  window.lasttouch('flush');
  $('checkout-result').textContent = `Order ${orderId} placed: €${value.toFixed(2)}`;
});

$('link-url').value = `${location.origin}/demo/`;

$('link-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const result = $('link-result');
  const data = new FormData(form);
  result.textContent = 'Creating…';
  try {
    const res = await fetch('/v1/links', {
      method: 'POST',
      headers: { Authorization: `Bearer ${form.dataset.agentKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        url: data.get('url'),
        channel: data.get('channel'),
        conversation: data.get('conversation'),
      }),
    });
    const body = await res.json();
    if (!res.ok) {
      result.textContent = `Error ${res.status}: ${body.error?.message ?? 'unknown error'}`;
      return;
    }
    result.textContent = '';
    const link = document.createElement('a');
    link.href = body.url;
    link.textContent = body.url;
    result.append('Send this link: ', link);
  } catch (err) {
    result.textContent = `Network error: ${err.message}`;
  }
});
