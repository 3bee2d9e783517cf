import { Type } from '@sinclair/typebox';

export const SerialSection = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'Drive the serial indicator/mute board (docs/serial.md).' }),
    path: Type.String({ default: '/dev/ttyACM0', description: 'Serial device path (a stable /dev/serial/by-id/... link is best).' }),
    baud_rate: Type.Integer({ default: 115200, minimum: 1200, maximum: 4000000, description: 'Baud rate.' }),
    reconnect_initial_ms: Type.Integer({ default: 500, minimum: 50, maximum: 60000, description: 'First delay before reopening a lost device.' }),
    reconnect_max_ms: Type.Integer({ default: 30000, minimum: 100, maximum: 600000, description: 'Largest reopen delay (exponential backoff with jitter).' }),
    heartbeat_s: Type.Integer({ default: 10, minimum: 1, maximum: 3600, description: 'The LED state is re-sent this often so a board that reset shows the truth.' }),
  },
  { additionalProperties: false, default: {}, description: 'Serial indicator LED and hardware mute button board.' },
);
