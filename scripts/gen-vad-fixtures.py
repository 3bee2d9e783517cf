#!/usr/bin/env python3
"""Generate small VAD test fixtures (run by hand with /usr/bin/python3; outputs are committed).

- tests/fixtures/vad/not-silero.onnx: a valid tiny ONNX model with non-Silero I/O
  (input `x` f32[1, N] -> `y` = x + 1), to test that the Silero engine refuses it.
- tests/fixtures/vad/weight-offsets.json: for each installed Silero model (models/),
  the byte offset and length of the raw data of the first conv weight of the 16 kHz
  branch (If then_branch, `encoder.0.reparam_conv.weight`), keyed by sha256. The
  bit-flip test flips a byte inside it to show the golden check catches corrupt weights.
Usage: /usr/bin/python3 scripts/gen-vad-fixtures.py
"""
import hashlib
import json
import os
import sys

import onnx
from onnx import TensorProto, helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'vad')
if '--help' in sys.argv:
    print(__doc__)
    sys.exit(0)
os.makedirs(OUT, exist_ok=True)

x = helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, None])
y = helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, None])
one = helper.make_tensor('one', TensorProto.FLOAT, [1], [1.0])
g = helper.make_graph([helper.make_node('Add', ['x', 'one'], ['y'])], 'not_silero', [x], [y], [one])
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)], producer_name='parley-test-fixture')
m.ir_version = 8
onnx.save(m, os.path.join(OUT, 'not-silero.onnx'))

offsets = {}
for rel in ['silero-vad-v6.2/silero_vad.onnx', 'silero-vad-v5/silero_vad_v5.onnx']:
    path = os.path.join(ROOT, 'models', rel)
    data = open(path, 'rb').read()
    model = onnx.load(path)
    node = next(n for n in model.graph.node if n.op_type == 'If')
    then = next(a.g for a in node.attribute if a.name == 'then_branch')
    for n in then.node:
        if n.op_type == 'Constant' and n.output[0].endswith('encoder.0.reparam_conv.weight'):
            raw = n.attribute[0].t.raw_data
            off = data.find(raw)
            assert off > 0 and data.find(raw, off + 1) == -1
            offsets[hashlib.sha256(data).hexdigest()] = {'model': rel, 'tensor': n.output[0], 'offset': off, 'length': len(raw)}
json.dump(offsets, open(os.path.join(OUT, 'weight-offsets.json'), 'w'), indent=2)
print('wrote', OUT)
