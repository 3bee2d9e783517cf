#!/usr/bin/python3
"""Tiny transducer fixtures + PyTorch reference decodes for the TypeScript runners.

Run by hand:  /usr/bin/python3 scripts/gen-transducer-fixtures.py [EVAL_DIR]
Writes tests/fixtures/asr/transducer/{zipformer-streaming,zipformer-offline,parakeet-tdt}/
with encoder/decoder/joiner .onnx (fp32) and .int8.onnx (dynamic-quantized: MatMul ->
DynamicQuantizeLinear + MatMulInteger, the same rewrite onnxruntime.quantization performs;
Debian's python has no onnxruntime, so the rewrite is done here with the `onnx` package),
tokens.txt and reference.json (token ids, frame indices, TDT durations) from a PyTorch decode
of real speech (first seconds of jfk.wav). Test fixtures only: random weights, never used at
run time.
"""
import json
import os
import sys
import wave

import numpy as np
import onnx
import torch
import torchaudio.compliance.kaldi as kaldi
from onnx import helper, numpy_helper, TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_transducer_models as M  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'asr', 'transducer')
SECONDS = 4.0
TAIL_PADDING_SAMPLES = 10560  # 0.66 s of zeros appended by the streaming runner at finish()
BEAM = 4
UNK = 2  # '<unk>' in the Zipformer tokens.txt; current sherpa-onnx treats it as blank in both searches
# FEATURE_PROJECTION_FP32: the first MatMul on the features stays fp32 in the int8 fixtures. The TS
# fbank differs from torchaudio by ~1e-6; quantizing raw features would let such a difference
# cross an activation quantization step (one step = ~0.08 in log-mel units) and change a frame.
PIECES = ['▁THE', '▁AND', '▁OF', '▁TO', '▁A', '▁IN', '▁THAT', '▁IS', '▁IT', '▁YOU', '▁WE', '▁MY', '▁ASK', '▁NOT',
          '▁WHAT', '▁CAN', '▁DO', '▁FOR', '▁YOUR', '▁COUNTRY', 'S', 'ED', 'ING', 'ER', 'LY', 'E', 'T', 'A', 'O', 'I',
          'N', 'R', '▁S', '▁C', '▁F', '▁B', '▁M', '▁P', '▁W', '▁H', '▁D', '▁L', '▁G', '▁N', '▁R', '▁E', '▁O', '▁U',
          'U', 'L', 'D', 'H', 'C', 'M', 'P', 'Y', 'G', 'W', 'B', 'F', 'K']
STREAM_CFG = dict(encoder_dims=[24, 32], num_encoder_layers=[1, 2], num_heads=[2, 2], query_head_dims=[4, 4],
                  value_head_dims=[4, 4], left_context_len=[16, 8], cnn_module_kernels=[7, 5], T=45,
                  decode_chunk_len=32, joiner_dim=32)


def eval_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    for d in (os.environ.get('PARLEY_EVAL_DIR'), os.path.join(ROOT, '..', 'shared', 'eval'), '/work/shared/eval'):
        if d and os.path.isdir(d):
            return d
    sys.exit('eval dir not found: set PARLEY_EVAL_DIR')


def load_audio():
    with wave.open(os.path.join(eval_dir(), 'jfk', 'jfk.wav'), 'rb') as w:
        pcm = np.frombuffer(w.readframes(int(SECONDS * 16000)), dtype='<i2')
    return torch.from_numpy(pcm.astype(np.float64) / 32768.0)


def fbank(samples64, **kw):
    return kaldi.fbank(samples64.unsqueeze(0), num_mel_bins=80, dither=0.0, energy_floor=0.0, **kw).float()


def write_tokens(path, tokens):
    with open(path, 'w', encoding='utf-8') as fh:
        for i, t in enumerate(tokens):
            fh.write(f'{t} {i}\n')


def export(module, args, path, inputs, outputs, meta, skip_quant=(), rename=None, batch=(), int8=True):
    axes = {n: {0: 'N'} for n in batch}
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, opset_version=13,
                      do_constant_folding=True, dynamic_axes=axes or None)
    model = onnx.load(path)
    for old, new in (rename or {}).items():  # names torch refuses (e.g. NeMo's auto-generated '162')
        for nd in model.graph.node:
            nd.output[:] = [new if o == old else o for o in nd.output]
            nd.input[:] = [new if i == old else i for i in nd.input]
        for o in model.graph.output:
            if o.name == old:
                o.name = new
    for k, v in meta.items():
        model.metadata_props.append(onnx.StringStringEntryProto(key=k, value=str(v)))
    onnx.save(model, path)
    q_path = path.replace('.onnx', '.int8.onnx')
    if not int8:  # e.g. the fp32 decoder that ships beside int8 encoder/joiner files
        if os.path.exists(q_path):
            os.remove(q_path)
        return
    quantize_matmuls(model, module, skip_quant)
    onnx.save(model, q_path)


def quantize_matmuls(model, module, skip):
    """MatMul(A, W const) -> DynamicQuantizeLinear(A); MatMulInteger; Cast; Mul(scale_a*scale_w)."""
    inits = {i.name: i for i in model.graph.initializer}
    lins = {name + '.w': m for name, m in module.named_modules() if isinstance(m, M.Lin)}
    nodes = []
    for n in model.graph.node:
        w = n.input[1] if n.op_type == 'MatMul' else None
        if w not in inits or w not in lins or any(w.startswith(s) for s in skip):
            nodes.append(n)
            continue
        q, s = lins[w].wq[0].numpy().astype(np.int8), float(lins[w].wq[1])
        arr = numpy_helper.to_array(inits[w])
        assert np.array_equal(M.quantize_weight(arr.astype(np.float32))[0], q), w
        p = n.output[0]
        model.graph.initializer.extend([numpy_helper.from_array(q, w + '_quantized'),
                                        numpy_helper.from_array(np.array(s, dtype=np.float32), w + '_scale'),
                                        numpy_helper.from_array(np.array(0, dtype=np.int8), w + '_zero_point')])
        nodes += [helper.make_node('DynamicQuantizeLinear', [n.input[0]], [p + '_aq', p + '_as', p + '_azp']),
                  helper.make_node('MatMulInteger', [p + '_aq', w + '_quantized', p + '_azp', w + '_zero_point'],
                                   [p + '_i32']),
                  helper.make_node('Cast', [p + '_i32'], [p + '_f'], to=TensorProto.FLOAT),
                  helper.make_node('Mul', [p + '_as', w + '_scale'], [p + '_s']),
                  helper.make_node('Mul', [p + '_f', p + '_s'], [p])]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    used = {i for nd in model.graph.node for i in nd.input}
    keep = [i for i in model.graph.initializer if i.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(keep)
    onnx.checker.check_model(model)


def log_add(a, b):
    return max(a, b) + np.log1p(np.exp(-abs(a - b)))


def initial_context(context):
    """icefall beam_search.py / sherpa-onnx GetEmptyResult: [-1, ..., -1, blank]."""
    return [-1] * (context - 1) + [0]


class Beam:
    """icefall/sherpa modified beam search state for one stream (hyps merged by token sequence)."""

    def __init__(self, context):
        self.hyps = {tuple(initial_context(context)): (0.0, [])}

    def step(self, enc_frame, decoder, joiner, context, t):
        keys = list(self.hyps.keys())
        ys = torch.tensor([list(k[-context:]) for k in keys], dtype=torch.int64)
        logp = torch.log_softmax(joiner(enc_frame.expand(len(keys), -1), decoder(ys)), dim=-1)
        logp = logp + torch.tensor([self.hyps[k][0] for k in keys]).unsqueeze(1)
        flat = logp.reshape(-1)
        vals, idx = flat.topk(min(BEAM, flat.numel()))
        vocab = logp.shape[1]
        new = {}
        for v, i in zip(vals.tolist(), idx.tolist()):
            k, tok = keys[i // vocab], i % vocab
            lp, stamps = self.hyps[k]
            nk, ns = (k + (tok,), stamps + [t]) if tok not in (0, UNK) else (k, stamps)
            new[nk] = (log_add(new[nk][0], v), new[nk][1]) if nk in new else (v, ns)
        self.hyps = new

    def best(self, context):
        k = max(self.hyps, key=lambda k: self.hyps[k][0] / len(k))
        return list(k[context:]), self.hyps[k][1]


def stateless_greedy(frames, decoder, joiner, context, ctx_state, offset):
    toks, stamps, dec_out = ctx_state
    for t in range(frames.shape[0]):
        y = int(joiner(frames[t:t + 1], dec_out).argmax(-1))
        if y not in (0, UNK):
            toks.append(y)
            stamps.append(offset + t)
            ys = (initial_context(context) + toks)[-context:]
            dec_out = decoder(torch.tensor([ys], dtype=torch.int64))
    return toks, stamps, dec_out


def greedy_with_reset(frames, decoder, joiner, context, split):
    """Greedy over frames[:split], an endpoint reset (sherpa-onnx Reset: keep the last `context`
    symbols when the utterance emitted any, else start over from [-1, ..., 0]), then frames[split:]."""
    hist = initial_context(context)
    out = []
    for part, offset in ((frames[:split], 0), (frames[split:], split)):
        dec_out = decoder(torch.tensor([hist[-context:]], dtype=torch.int64))
        toks, stamps = [], []
        for t in range(part.shape[0]):
            y = int(joiner(part[t:t + 1], dec_out).argmax(-1))
            if y not in (0, UNK):
                hist.append(y)
                toks.append(y)
                stamps.append(offset + t)
                dec_out = decoder(torch.tensor([hist[-context:]], dtype=torch.int64))
        out.append({'tokens': toks, 'frames': stamps})
        hist = hist[-context:] if len(hist) > context else initial_context(context)
    return {'split': split, 'before': out[0], 'after': out[1]}


def build_streaming(audio, d):
    torch.manual_seed(1)
    cfg = STREAM_CFG
    enc, dec = M.StreamingEncoder(cfg), M.StatelessDecoder(len(PIECES) + 3, 16, 2, cfg['joiner_dim'])
    joi = M.Joiner(cfg['joiner_dim'], len(PIECES) + 3, blank_bias=float(os.environ.get('BIAS_STREAM', '3.0')))
    for lin in M.all_lins(enc, dec, joi):
        lin.freeze_quant()
    enc.cache_proj.wq = None  # its input is all zeros at the start: left fp32 (scale would be 0)
    enc.inp.wq = None  # see FEATURE_PROJECTION_FP32
    for lin in M.all_lins(dec):  # the int8 set pairs int8 encoder/joiner with the fp32 decoder (mixed files)
        lin.wq = None
    names = enc.state_names()
    meta = dict(model_type='zipformer2', version='1', model_author='parley-test-fixture',
                comment='tiny random-weight fixture with the sherpa-onnx streaming zipformer2 signature',
                decode_chunk_len=cfg['decode_chunk_len'], T=cfg['T'],
                **{k: ','.join(map(str, cfg[k])) for k in ('num_encoder_layers', 'encoder_dims', 'num_heads',
                                                          'query_head_dims', 'value_head_dims', 'left_context_len',
                                                          'cnn_module_kernels')})
    meta['attention_dims'] = meta['encoder_dims']
    with torch.no_grad():
        x0 = torch.zeros(1, cfg['T'], 80)
        export(enc, (x0, *enc.init_states()), os.path.join(d, 'encoder.onnx'), ['x'] + names,
               ['encoder_out'] + ['new_' + n for n in names], meta, skip_quant=('cache_proj', 'inp.'))
        export(dec, (torch.zeros(1, 2, dtype=torch.int64),), os.path.join(d, 'decoder.onnx'), ['y'], ['decoder_out'],
               dict(context_size=2, vocab_size=len(PIECES) + 3), batch=('y', 'decoder_out'), int8=False)
        export(joi, (torch.zeros(1, 32), torch.zeros(1, 32)), os.path.join(d, 'joiner.onnx'),
               ['encoder_out', 'decoder_out'], ['logit'], dict(joiner_dim=32),
               batch=('encoder_out', 'decoder_out', 'logit'))
    write_tokens(os.path.join(d, 'tokens.txt'), ['<blk>', '<sos/eos>', '<unk>'] + PIECES)
    feats = fbank(torch.cat([audio, torch.zeros(TAIL_PADDING_SAMPLES, dtype=torch.float64)]), high_freq=-400.0,
                  snip_edges=False)
    ref = {'tailPaddingSamples': TAIL_PADDING_SAMPLES, 'numSamples': int(audio.numel()), 'maxActivePaths': BEAM}
    for precision in ('fp32', 'int8'):
        M.QuantState.enabled = precision == 'int8'
        with torch.no_grad():
            states, processed, offset = enc.init_states(), 0, 0
            g = ([], [], dec(torch.tensor([initial_context(2)], dtype=torch.int64)))
            beam = Beam(2)
            while feats.shape[0] - processed >= cfg['T']:
                out = enc(feats[processed:processed + cfg['T']].unsqueeze(0), *states)
                frames, states = out[0][0], list(out[1:])
                g = stateless_greedy(frames, dec, joi, 2, g, offset)
                for t in range(frames.shape[0]):
                    beam.step(frames[t:t + 1], dec, joi, 2, offset + t)
                processed += cfg['decode_chunk_len']
                offset += frames.shape[0]
            bt, bs = beam.best(2)
        ref[precision] = {'greedy': {'tokens': g[0], 'frames': g[1]},
                          'modifiedBeamSearch': {'tokens': bt, 'frames': bs}, 'encoderFrames': offset}
    M.QuantState.enabled = False
    return ref


V1_CFG = dict(encoder_dims=[24, 32], attention_dims=[16, 16], num_encoder_layers=[1, 2], left_context_len=[16, 8],
              cnn_module_kernels=[5, 3], zipformer_downsampling_factors=[1, 1], T=39, decode_chunk_len=32,
              joiner_dim=32)


def build_streaming_v1(audio, d):
    torch.manual_seed(5)
    cfg = V1_CFG
    enc, dec = M.StreamingEncoderV1(cfg), M.StatelessDecoder(len(PIECES) + 3, 16, 2, cfg['joiner_dim'])
    joi = M.Joiner(cfg['joiner_dim'], len(PIECES) + 3, blank_bias=float(os.environ.get('BIAS_V1', '2.0')))
    for lin in M.all_lins(enc, dec, joi):
        lin.freeze_quant()
    enc.inp.wq = None  # see FEATURE_PROJECTION_FP32
    names = enc.state_names()
    # No model_type/version: exports made before icefall added them lack both (the runner must
    # then tell v1 from zipformer2 by the other keys).
    meta = dict(model_author='parley-test-fixture',
                comment='tiny random-weight fixture with the sherpa-onnx streaming zipformer (v1) signature',
                decode_chunk_len=cfg['decode_chunk_len'], T=cfg['T'],
                **{k: ','.join(map(str, cfg[k])) for k in ('num_encoder_layers', 'encoder_dims', 'attention_dims',
                                                          'left_context_len', 'cnn_module_kernels',
                                                          'zipformer_downsampling_factors')})
    with torch.no_grad():
        export(enc, (torch.zeros(1, cfg['T'], 80), *enc.init_states()), os.path.join(d, 'encoder.onnx'),
               ['x'] + names, ['encoder_out'] + ['new_' + n for n in names], meta, skip_quant=('inp.',))
        export(dec, (torch.zeros(1, 2, dtype=torch.int64),), os.path.join(d, 'decoder.onnx'), ['y'], ['decoder_out'],
               dict(context_size=2, vocab_size=len(PIECES) + 3), batch=('y', 'decoder_out'))
        export(joi, (torch.zeros(1, 32), torch.zeros(1, 32)), os.path.join(d, 'joiner.onnx'),
               ['encoder_out', 'decoder_out'], ['logit'], dict(joiner_dim=32),
               batch=('encoder_out', 'decoder_out', 'logit'))
    write_tokens(os.path.join(d, 'tokens.txt'), ['<blk>', '<sos/eos>', '<unk>'] + PIECES)
    feats = fbank(torch.cat([audio, torch.zeros(TAIL_PADDING_SAMPLES, dtype=torch.float64)]), high_freq=-400.0,
                  snip_edges=False)
    ref = {'tailPaddingSamples': TAIL_PADDING_SAMPLES, 'numSamples': int(audio.numel()), 'maxActivePaths': BEAM}
    for precision in ('fp32', 'int8'):
        M.QuantState.enabled = precision == 'int8'
        with torch.no_grad():
            states, processed, offset = enc.init_states(), 0, 0
            g = ([], [], dec(torch.tensor([initial_context(2)], dtype=torch.int64)))
            beam = Beam(2)
            while feats.shape[0] - processed >= cfg['T']:
                out = enc(feats[processed:processed + cfg['T']].unsqueeze(0), *states)
                frames, states = out[0][0], list(out[1:])
                g = stateless_greedy(frames, dec, joi, 2, g, offset)
                for t in range(frames.shape[0]):
                    beam.step(frames[t:t + 1], dec, joi, 2, offset + t)
                processed += cfg['decode_chunk_len']
                offset += frames.shape[0]
            bt, bs = beam.best(2)
        ref[precision] = {'greedy': {'tokens': g[0], 'frames': g[1]},
                          'modifiedBeamSearch': {'tokens': bt, 'frames': bs}, 'encoderFrames': offset}
    M.QuantState.enabled = False
    return ref


def build_offline(audio, d):
    torch.manual_seed(2)
    enc, dec = M.OfflineEncoder(32, 32), M.StatelessDecoder(len(PIECES) + 3, 16, 2, 32)
    joi = M.Joiner(32, len(PIECES) + 3, blank_bias=float(os.environ.get('BIAS_OFFLINE', '3.0')))
    with torch.no_grad():
        joi.lin.b[UNK] -= 6.0  # this random joiner favours <unk>, which decodes as blank
    for lin in M.all_lins(enc, dec, joi):
        lin.freeze_quant()
    enc.inp.wq = None  # see FEATURE_PROJECTION_FP32
    feats = fbank(audio, high_freq=-400.0, snip_edges=False)
    with torch.no_grad():
        export(enc, (feats.unsqueeze(0), torch.tensor([feats.shape[0]], dtype=torch.int64)),
               os.path.join(d, 'encoder.onnx'), ['x', 'x_lens'], ['encoder_out', 'encoder_out_lens'],
               dict(model_type='zipformer2', version='1', model_author='parley-test-fixture',
                    comment='tiny random-weight fixture with the sherpa-onnx offline zipformer signature'),
               skip_quant=('inp.',))
        export(dec, (torch.zeros(1, 2, dtype=torch.int64),), os.path.join(d, 'decoder.onnx'), ['y'], ['decoder_out'],
               dict(context_size=2, vocab_size=len(PIECES) + 3), batch=('y', 'decoder_out'))
        export(joi, (torch.zeros(1, 32), torch.zeros(1, 32)), os.path.join(d, 'joiner.onnx'),
               ['encoder_out', 'decoder_out'], ['logit'], dict(joiner_dim=32),
               batch=('encoder_out', 'decoder_out', 'logit'))
    write_tokens(os.path.join(d, 'tokens.txt'), ['<blk>', '<sos/eos>', '<unk>'] + PIECES)
    ref = {'numSamples': int(audio.numel()), 'maxActivePaths': BEAM}
    for precision in ('fp32', 'int8'):
        M.QuantState.enabled = precision == 'int8'
        with torch.no_grad():
            out, lens = enc(feats.unsqueeze(0), torch.tensor([feats.shape[0]]))
            frames = out[0, :int(lens[0])]
            g = stateless_greedy(frames, dec, joi, 2, ([], [], dec(torch.tensor([initial_context(2)], dtype=torch.int64))), 0)
            beam = Beam(2)
            for t in range(frames.shape[0]):
                beam.step(frames[t:t + 1], dec, joi, 2, t)
            bt, bs = beam.best(2)
            reset = greedy_with_reset(frames, dec, joi, 2, frames.shape[0] // 2)
            old = stateless_greedy(frames, dec, joi, 2, ([], [], dec(torch.zeros(1, 2, dtype=torch.int64))), 0)
            old_after = stateless_greedy(frames[frames.shape[0] // 2:], dec, joi, 2, ([], [], dec(torch.zeros(1, 2, dtype=torch.int64))), 0)
        print('offline', precision, 'greedy with [0, 0] start differs from [-1, 0]:', old[0] != g[0],
              '| reset keeps context:', reset['before']['tokens'][-2:], reset['after']['tokens'][:3],
              '| blank-context reset differs:', old_after[0] != reset['after']['tokens'])
        ref[precision] = {'greedy': {'tokens': g[0], 'frames': g[1]},
                          'modifiedBeamSearch': {'tokens': bt, 'frames': bs}, 'encoderFrames': int(lens[0]),
                          'greedyWithReset': reset}
    M.QuantState.enabled = False
    return ref


def nemo_features(audio):
    """Parakeet front end (kaldi-native-fbank with is_librosa, as sherpa-onnx uses for NeMo; same
    definition as scripts/gen-fbank-reference.py): symmetric hann, no DC removal, pre-emphasis,
    librosa Slaney mel banks 0..8000 Hz, log; then NeMo per_feature normalisation (std over T-1)."""
    import torchaudio
    frames, _ = kaldi._get_window(audio, 512, 400, 160, 'hanning', 0.42, False, True, 0.0, 0.0, False, 0.97)
    power = torch.fft.rfft(frames).abs().pow(2.0)
    banks = torchaudio.functional.melscale_fbanks(257, 0.0, 8000.0, 80, 16000, norm='slaney', mel_scale='slaney')
    f = torch.clamp(power @ banks.double(), min=1.1920928955078125e-07).log().float().double()
    mean = f.mean(0, keepdim=True)
    std = torch.sqrt(((f - mean) ** 2).sum(0, keepdim=True) / (f.shape[0] - 1)) + 1e-5
    return ((f - mean) / std).float()


NEMO_MAX_SYMBOLS_PER_FRAME = 10  # sherpa-onnx: a hypothesis with this many symbols on one frame advances without expansion


def nemo_beam(frames, dec, joi, vocab, tdt, beam=BEAM, duration_logprob=True):
    """sherpa-onnx OfflineTransducerModifiedBeamSearchNeMoDecoder: frame-asynchronous hypotheses
    (each keeps its LSTM state and frame); those at the minimum frame that emitted fewer than 10
    symbols there are expanded with the top-k tokens of log_softmax; for TDT the score adds the
    log-probability of the best duration (log_softmax over the duration logits), so
    score = (token_logp + duration_logp) + hyp_logp in float32; blank/unk advance max(1, duration),
    tokens advance the duration (TDT) or stay (RNNT); the best `beam` by score survive; no merging.
    `duration_logprob=False` gives what a search without the duration term decides (for the report)."""
    blank, n = vocab - 1, frames.shape[0]
    z = torch.zeros(1, 1, 32)
    f32 = np.float32
    hyps = [dict(ys=[], frames=[], durs=[], lp=f32(0), st=(z, z), t=0, run=0)]
    while True:
        m = min(h['t'] for h in hyps)
        if m >= n:
            break
        cands = []
        for h in hyps:
            if h['t'] > m:
                cands.append(h)
                continue
            if h['run'] >= NEMO_MAX_SYMBOLS_PER_FRAME:
                cands.append(dict(h, t=h['t'] + 1, run=0))
                continue
            last = h['ys'][-1] if h['ys'] else blank
            dout, _, hh, cc = dec(torch.tensor([[last]], dtype=torch.int32), torch.ones(1, dtype=torch.int32), *h['st'])
            logits = joi(frames[h['t']].view(1, -1, 1), dout).reshape(-1)
            lp = torch.log_softmax(logits[:vocab], dim=-1)
            if tdt:
                dl = torch.log_softmax(logits[vocab:], dim=-1)
                skip = int(dl.argmax())
                dlp = f32(float(dl[skip])) if duration_logprob else f32(0)
            else:
                skip, dlp = 1, f32(0)
            vals, idx = lp.topk(beam)
            for v, k in zip(vals.tolist(), idx.tolist()):
                score = f32(f32(f32(v) + dlp) + h['lp'])
                if k in (blank, 0):  # blank, or <unk> (id 0 in NeMo tokens.txt), which sherpa treats as blank
                    cands.append(dict(h, lp=score, t=h['t'] + max(1, skip), run=0))
                else:
                    adv = skip if tdt else 0
                    run = (0 if skip > 0 else h['run'] + 1) if tdt else h['run'] + 1
                    cands.append(dict(ys=h['ys'] + [k], frames=h['frames'] + [h['t']], durs=h['durs'] + [skip if tdt else 0],
                                      lp=score, st=(hh, cc), t=h['t'] + adv, run=run))
        hyps = sorted(cands, key=lambda c: -float(c['lp']))[:beam]
    best = max(hyps, key=lambda c: float(c['lp']))
    return {'tokens': best['ys'], 'frames': best['frames'], 'durations': best['durs']}


def build_tdt(audio, d, tdt=True):
    torch.manual_seed(3 if tdt else 7)
    vocab = len(PIECES) + 2  # <unk> + pieces + <blk> (last)
    enc, dec = M.NemoEncoder(80, 32), M.NemoDecoder(vocab, 32, 1)
    joi = M.NemoJoiner(32, 32, 32, vocab + (5 if tdt else 0), blank_id=vocab - 1, blank_bias=5.0 if tdt else 6.0)
    for lin in M.all_lins(enc, dec, joi):
        lin.freeze_quant()
    enc.inner.inp.wq = None  # see FEATURE_PROJECTION_FP32
    feats = nemo_features(audio)
    with torch.no_grad():
        export(enc, (feats.t().unsqueeze(0), torch.tensor([feats.shape[0]])), os.path.join(d, 'encoder.onnx'),
               ['audio_signal', 'length'], ['outputs', 'encoded_lengths'],
               dict(vocab_size=vocab - 1, subsampling_factor=8, normalize_type='per_feature', pred_rnn_layers=1,
                    pred_hidden=32, **({'feat_dim': 80} if tdt else {}),  # RNNT fixture: optional feat_dim absent
                    model_type='EncDecRNNTBPEModel', is_giga_am=0,
                    model_author='parley-test-fixture', comment='tiny random-weight Parakeet-TDT-signature fixture'),
               skip_quant=('inner.inp.',))
        z = torch.zeros(1, 1, 32)
        export(dec, (torch.zeros(1, 1, dtype=torch.int32), torch.ones(1, dtype=torch.int32), z, z),
               os.path.join(d, 'decoder.onnx'), ['targets', 'target_length', 'states.1', 'onnx::Slice_3'],
               ['outputs', 'prednet_lengths', 'states', 'c_out'], {}, rename={'c_out': '162'})
        export(joi, (torch.zeros(1, 32, 1), torch.zeros(1, 32, 1)), os.path.join(d, 'joiner.onnx'),
               ['encoder_outputs', 'decoder_outputs'], ['outputs'], {})
    write_tokens(os.path.join(d, 'tokens.txt'), ['<unk>'] + PIECES + ['<blk>'])
    ref = {'numSamples': int(audio.numel()), 'durations': [0, 1, 2, 3, 4] if tdt else []}
    blank = vocab - 1
    for precision in ('fp32', 'int8'):
        M.QuantState.enabled = precision == 'int8'
        with torch.no_grad():
            out, lens = enc(feats.t().unsqueeze(0), torch.tensor([feats.shape[0]]))
            frames = out[0].t()[:int(lens[0])]  # [T', C]
            z = torch.zeros(1, 1, 32)
            dout, _, h, c = dec(torch.tensor([[blank]], dtype=torch.int32), torch.ones(1, dtype=torch.int32), z, z)
            toks, stamps, durs, t, skip, per_frame = [], [], [], 0, 0, 0
            while not tdt and t < frames.shape[0]:  # sherpa DecodeOne: up to 10 symbols per frame
                for _ in range(10):
                    logits = joi(frames[t].view(1, -1, 1), dout).reshape(-1)
                    y = int(logits.argmax())
                    if y == blank:
                        break
                    toks.append(y); stamps.append(t); durs.append(0)  # noqa: E702
                    dout, _, h, c = dec(torch.tensor([[y]], dtype=torch.int32), torch.ones(1, dtype=torch.int32), h, c)
                t += 1
            while tdt and t < frames.shape[0]:
                logits = joi(frames[t].view(1, -1, 1), dout).reshape(-1)
                y, skip = int(logits[:vocab].argmax()), int(logits[vocab:].argmax())
                if y != blank:
                    toks.append(y); stamps.append(t); durs.append(skip)  # noqa: E702
                    dout, _, h, c = dec(torch.tensor([[y]], dtype=torch.int32), torch.ones(1, dtype=torch.int32), h, c)
                    per_frame += 1
                if skip > 0:
                    per_frame = 0
                if per_frame >= 5:
                    per_frame, skip = 0, 1
                if y == blank and skip == 0:
                    per_frame, skip = 0, 1
                t += skip
            bm = nemo_beam(frames, dec, joi, vocab, tdt)
            if tdt:
                nd = nemo_beam(frames, dec, joi, vocab, tdt, duration_logprob=False)
                print('tdt', precision, 'beam without the duration log-prob differs:', nd != bm)
        ref[precision] = {('tdt' if tdt else 'rnnt'): {'tokens': toks, 'frames': stamps, 'durations': durs},
                          'modifiedBeamSearch': bm, 'encoderFrames': int(lens[0])}
    M.QuantState.enabled = False
    return ref


def main():
    audio = load_audio()
    only = os.environ.get('ONLY', '')
    for name, fn in (('zipformer-streaming', build_streaming), ('zipformer-v1-streaming', build_streaming_v1),
                     ('zipformer-offline', build_offline), ('nemo-rnnt', lambda a, d: build_tdt(a, d, tdt=False)),
                     ('parakeet-tdt', build_tdt)):
        if only and name not in only.split(','):
            continue
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        ref = fn(audio, d)
        ref.update({'source': 'jfk/jfk.wav', 'seconds': SECONDS, 'torch': torch.__version__})
        with open(os.path.join(d, 'reference.json'), 'w') as fh:
            json.dump(ref, fh, indent=1)
        for p in ('fp32', 'int8'):
            summary = {k: len(v['tokens']) for k, v in ref[p].items() if isinstance(v, dict) and 'tokens' in v}  # noqa
            print(name, p, summary, 'frames', ref[p]['encoderFrames'],
                  {k: len(set(v['tokens'])) for k, v in ref[p].items() if isinstance(v, dict) and 'tokens' in v})


if __name__ == '__main__':
    main()
