import { createApp } from 'vue';
import type { MatrixCredentials } from 'matrix-call-kit';
import App from './App.vue';

const credentials = JSON.parse(decodeURIComponent(location.hash.slice(1))) as MatrixCredentials;
createApp(App, { credentials }).mount('#app');
