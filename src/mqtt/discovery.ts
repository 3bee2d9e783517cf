/**
 * Home Assistant MQTT device-based discovery (HA ≥ 2024.11): ONE retained message on
 * `<prefix>/device/<object_id>/config` describing the device and all its components
 * (`cmps`, each with `p` = platform). Entities read the retained `status` JSON, the
 * mute switch commands `cmd/mute/set`, the event entity follows `event/segment`.
 * Re-sent on every connect and whenever `<prefix>/status` says `online`.
 * https://www.home-assistant.io/integrations/mqtt/#device-discovery-payload
 */
import type { Topics } from './topics.js';

export interface DiscoveryMessage {
  topic: string;
  payload: string;
}

export function discoveryMessage(prefix: string, topics: Topics, version: string): DiscoveryMessage {
  const obj = `parley_${topics.deviceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const uid = (k: string) => `${obj}_${k}`;
  const status = topics.status;
  const cmps: Record<string, Record<string, unknown>> = {
    [uid('tier')]: { p: 'sensor', name: 'Tier', unique_id: uid('tier'), state_topic: status, value_template: '{{ value_json.tier }}', icon: 'mdi:speedometer' },
    [uid('cpu_temp')]: {
      p: 'sensor', name: 'CPU temperature', unique_id: uid('cpu_temp'), state_topic: status,
      value_template: '{{ value_json.cpu_temp_c }}', device_class: 'temperature', unit_of_measurement: '°C', state_class: 'measurement',
    },
    [uid('last_transcript')]: {
      p: 'sensor', name: 'Last transcript', unique_id: uid('last_transcript'), state_topic: status,
      // HA sensor states are limited to 255 characters.
      value_template: "{{ (value_json.last_transcript or '')[:255] }}", icon: 'mdi:text-box',
    },
    [uid('last_speaker')]: { p: 'sensor', name: 'Last speaker', unique_id: uid('last_speaker'), state_topic: status, value_template: "{{ value_json.last_speaker or '' }}", icon: 'mdi:account-voice' },
    [uid('speaking')]: {
      p: 'binary_sensor', name: 'Speaking', unique_id: uid('speaking'), state_topic: status, device_class: 'sound',
      value_template: "{{ 'ON' if value_json.speaking else 'OFF' }}",
    },
    [uid('recording')]: {
      p: 'binary_sensor', name: 'Recording', unique_id: uid('recording'), state_topic: status, device_class: 'running',
      value_template: "{{ 'ON' if value_json.recording else 'OFF' }}",
    },
    [uid('mute')]: {
      p: 'switch', name: 'Mute', unique_id: uid('mute'), state_topic: status, command_topic: topics.command('mute/set'),
      value_template: "{{ 'ON' if value_json.muted else 'OFF' }}", state_on: 'ON', state_off: 'OFF',
      payload_on: '{"id":"ha","muted":true}', payload_off: '{"id":"ha","muted":false}', icon: 'mdi:microphone-off',
    },
    [uid('segment')]: {
      p: 'event', name: 'Segment', unique_id: uid('segment'), state_topic: topics.event('segment'), event_types: ['segment'],
      value_template: '{{ {"event_type": "segment", "text": value_json.text, "speaker": value_json.speaker, "session_id": value_json.session_id, "seq": value_json.seq} | tojson }}',
    },
  };
  const payload = {
    dev: { ids: [obj], name: `parley ${topics.deviceId}`, mf: 'parley', mdl: 'parley voice appliance', sw: version },
    o: { name: 'parley', sw: version },
    availability_topic: topics.availability,
    payload_available: 'online',
    payload_not_available: 'offline',
    qos: 1,
    cmps,
  };
  return { topic: `${prefix.replace(/\/+$/, '')}/device/${obj}/config`, payload: JSON.stringify(payload) };
}
