import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { collectorBase } from './api.js';
import { App, type Env } from './app.js';

function storage(): Env['storage'] {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App env={{ base: collectorBase(location.href), storage: storage(), now: Date.now }} />, root);
}
