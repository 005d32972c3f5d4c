// A website's page with <mx-call-button>, as a site owner writes it; the test sets its attributes through the
// page's hash ({"user": …, "visitor-service": …, …}) and reads what the button reported from window.buttonEvents.
import '../../../define/mx-call-button.js';

declare global {
  interface Window {
    buttonEvents: { type: string; detail: unknown }[];
  }
}

window.buttonEvents = [];
const attributes = JSON.parse(decodeURIComponent(location.hash.slice(1)) || '{}') as Record<string, string>;
const button = document.createElement('mx-call-button');
for (const [name, value] of Object.entries(attributes)) button.setAttribute(name, value);
button.textContent = 'Call support';
for (const type of ['mx-call-start', 'mx-call-ended', 'mx-error'] as const) {
  button.addEventListener(type, (event) => {
    const { detail } = event as Event & { detail: unknown };
    window.buttonEvents.push({ type, detail: type === 'mx-error' ? { code: (detail as { error: { code: string } }).error.code } : detail });
  });
}
document.querySelector('#slot')?.append(button);
