// Registers every element of the kit.
import './mx-connection-status.js';
