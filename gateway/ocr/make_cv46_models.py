#!/usr/bin/python3
"""Rewrite the fast-alpr plate models so that OpenCV 4.6 DNN can import them.

usage: make_cv46_models.py CCT_ONNX YOLO_ONNX OUTDIR      (needs python3-onnx only)

OpenCV 4.6 cannot import either original (docs/ocr.md section 10): the recognizer computes
shapes at run time (Shape/Gather/Tile chains, 4-D MatMul, [1,T,C] broadcasts) and the detector
is ONNX Runtime dynamic-int8 (DynamicQuantizeLinear, ConvInteger, NonMaxSuppression). The
rewrite is exact: constant folding, float de-quantisation and graph cuts, no retraining.
Outputs: OUTDIR/plate_ocr_cct_xs_v2_cv46.onnx, OUTDIR/plate_det_yolov9t416_cv46.onnx.
"""
import copy
import sys

import numpy as np
import onnx
from onnx import helper as oh
from onnx import numpy_helper as nh
from onnx import shape_inference

OCR_OUT = "plate_ocr_cct_xs_v2_cv46.onnx"
DET_OUT = "plate_det_yolov9t416_cv46.onnx"
# The detector's three raw heads [1, 64 DFL + 1 class, H, W], before DFL decoding and NMS.
DET_HEADS = ["/model/model.22/Concat_output_0", "/model/model.22/Concat_1_output_0",
             "/model/model.22/Concat_2_output_0"]


def attr(node, key, default=None):
    for a in node.attribute:
        if a.name == key:
            return oh.get_attribute_value(a)
    return default


def static_shapes(model):
    g = shape_inference.infer_shapes(model).graph
    out = {}
    for v in list(g.value_info) + list(g.input) + list(g.output):
        dims = [d.dim_value for d in v.type.tensor_type.shape.dim]
        if all(d > 0 for d in dims):
            out[v.name] = dims
    return out


def prune(g, outputs):
    """Keep only the nodes and initializers that the given outputs depend on."""
    producer = {o: n for n in g.node for o in n.output}
    needed, keep, stack = set(), set(), list(outputs)
    while stack:
        t = stack.pop()
        if t in needed:
            continue
        needed.add(t)
        if t in producer:
            keep.add(id(producer[t]))
            stack += [i for i in producer[t].input if i]
    nodes = [copy.deepcopy(n) for n in g.node if id(n) in keep]
    del g.node[:]
    g.node.extend(nodes)
    used = {i for n in nodes for i in n.input}
    inits = [copy.deepcopy(i) for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(inits)


def scalars_to_1d(g):
    # OpenCV 4.6 mis-handles 0-d constants.
    for i, t in enumerate(list(g.initializer)):
        a = nh.to_array(t)
        if a.ndim == 0:
            g.initializer[i].CopyFrom(nh.from_array(a.reshape(1), t.name))


def evaluate(n, x):
    """numpy evaluation of one node whose inputs are all constant (for folding)."""
    op = n.op_type
    if op == "Gather":
        return np.take(x[0], x[1], axis=attr(n, "axis", 0))
    if op in ("Unsqueeze", "Squeeze"):
        axes = attr(n, "axes") if len(x) == 1 else [int(v) for v in x[1]]
        if op == "Squeeze":
            return np.squeeze(x[0], axis=tuple(axes) if axes is not None else None)
        r = x[0]
        for a in sorted(a if a >= 0 else a + r.ndim + len(axes) for a in axes):
            r = np.expand_dims(r, a)
        return r
    if op == "Concat":
        return np.concatenate(x, axis=attr(n, "axis"))
    if op == "Cast":
        to = {1: np.float32, 6: np.int32, 7: np.int64, 9: np.bool_}[attr(n, "to")]
        return x[0].astype(to)
    if op in ("Mul", "Add", "Sub"):
        f = {"Mul": np.multiply, "Add": np.add, "Sub": np.subtract}[op]
        return np.asarray(f(x[0], x[1])).astype(x[0].dtype)
    if op == "ReduceProd":
        axes = attr(n, "axes")
        return np.prod(x[0], axis=tuple(axes) if axes else None,
                       keepdims=bool(attr(n, "keepdims", 1))).astype(x[0].dtype)
    if op == "Slice":
        sl = [slice(None)] * x[0].ndim
        axes = x[3] if len(x) > 3 else range(len(x[1]))
        steps = x[4] if len(x) > 4 else [1] * len(x[1])
        for s, e, a, p in zip(x[1], x[2], axes, steps):
            sl[a] = slice(int(s), int(e), int(p))
        return x[0][tuple(sl)]
    if op == "Reshape":
        return x[0].reshape([x[0].shape[i] if s == 0 else s for i, s in enumerate(x[1])])
    if op == "Tile":
        return np.tile(x[0], x[1])
    if op == "Expand":
        return x[0] * np.ones(x[1], dtype=x[0].dtype)
    if op == "MatMul":
        return np.matmul(x[0], x[1]).astype(x[0].dtype)
    if op == "Transpose":
        return np.transpose(x[0], attr(n, "perm"))
    raise KeyError(op)


def fold_pass(model):
    """One pass of constant folding; returns how many nodes it removed or replaced."""
    g = model.graph
    shapes = static_shapes(model)
    const = {i.name: nh.to_array(i) for i in g.initializer}
    kept, changed = [], 0
    for n in g.node:
        if n.op_type == "Constant":
            const[n.output[0]] = nh.to_array(attr(n, "value"))
            changed += 1
            continue
        if n.op_type == "Shape" and n.input[0] in shapes:
            const[n.output[0]] = np.array(shapes[n.input[0]], np.int64)
            changed += 1
            continue
        ins = [i for i in n.input if i]
        if ins and all(i in const for i in ins):
            try:
                const[n.output[0]] = np.asarray(evaluate(n, [const[i] for i in ins]))
                changed += 1
                continue
            except KeyError:
                pass
        if (n.op_type in ("Squeeze", "Unsqueeze") and n.output[0] in shapes
                and n.input[0] not in const):
            s = n.output[0] + "_cvshape"
            const[s] = np.array(shapes[n.output[0]], np.int64)
            kept.append(oh.make_node("Reshape", [n.input[0], s], [n.output[0]]))
            changed += 1
            continue
        kept.append(n)
    used = {i for n in kept for i in n.input}
    del g.node[:]
    g.node.extend(kept)
    del g.initializer[:]
    g.initializer.extend([nh.from_array(v, k) for k, v in const.items() if k in used])
    del g.value_info[:]
    return changed


def rewrite_ocr(src, dst):
    m = onnx.load(src)
    g = m.graph
    for v in list(g.input) + list(g.output):  # batch fixed to 1
        d = v.type.tensor_type.shape.dim[0]
        d.Clear()
        d.dim_value = 1
    while fold_pass(m):
        pass
    shapes = static_shapes(m)
    ini = {i.name: nh.to_array(i) for i in g.initializer}
    nodes, k = [], 0
    for n in g.node:
        a, b = (list(n.input) + [None, None])[:2]
        if n.op_type == "MatMul" and a not in ini and b in ini and ini[b].ndim == 4:
            # Dyn[1,H,T,D] @ Const[1,H,D,K]: OpenCV 4.6 has no 4-D MatMul against a constant;
            # an equivalent block-diagonal 2-D MatMul between transposes and reshapes.
            w = ini[b]
            _, heads, dim, kd = w.shape
            t = shapes[a][2]
            block = np.zeros((heads * dim, heads * kd), np.float32)
            for h in range(heads):
                block[h * dim:(h + 1) * dim, h * kd:(h + 1) * kd] = w[0, h]
            k += 1
            p = "cvmm%d_" % k
            g.initializer.extend([
                nh.from_array(block, p + "B"),
                nh.from_array(np.array([1, t, heads * dim], np.int64), p + "s1"),
                nh.from_array(np.array([1, t, heads, kd], np.int64), p + "s2")])
            nodes += [
                oh.make_node("Transpose", [a], [p + "t1"], perm=[0, 2, 1, 3]),
                oh.make_node("Reshape", [p + "t1", p + "s1"], [p + "r1"]),
                oh.make_node("MatMul", [p + "r1", p + "B"], [p + "mm"]),
                oh.make_node("Reshape", [p + "mm", p + "s2"], [p + "r2"]),
                oh.make_node("Transpose", [p + "r2"], [n.output[0]], perm=[0, 2, 1, 3])]
            continue
        if n.op_type in ("Mul", "Add") and len(n.input) == 2:
            # [1,T,C] op const[C] broadcasts wrongly in OpenCV 4.6; do it as [1,C,T] op [C,1].
            if a in ini and b not in ini:
                a, b = b, a
            if (b in ini and a not in ini and len(shapes.get(a, [])) == 3 and ini[b].ndim == 1
                    and ini[b].size == shapes[a][2] > 1):
                k += 1
                p = "cvbc%d_" % k
                g.initializer.append(
                    nh.from_array(ini[b].reshape(-1, 1).astype(np.float32), p + "c"))
                nodes += [
                    oh.make_node("Transpose", [a], [p + "t"], perm=[0, 2, 1]),
                    oh.make_node(n.op_type, [p + "t", p + "c"], [p + "o"]),
                    oh.make_node("Transpose", [p + "o"], [n.output[0]], perm=[0, 2, 1])]
                continue
        nodes.append(n)
    del g.node[:]
    g.node.extend(nodes)
    # Float input: the caller passes 0-255 floats, so the uint8->float Cast goes.
    inp = g.input[0]
    inp.type.tensor_type.elem_type = onnx.TensorProto.FLOAT
    for n in [n for n in g.node if n.op_type == "Cast" and n.input[0] == inp.name]:
        for o in g.node:
            for j, i in enumerate(o.input):
                if i == n.output[0]:
                    o.input[j] = inp.name
        g.node.remove(n)
    scalars_to_1d(g)
    # Keep the 'plate' logits only: the caller does its own softmax (per-slot confidences);
    # the region head is unused.
    last = [n for n in g.node if n.output[0] == "plate"][0]
    if last.op_type == "Softmax":
        for n in g.node:
            for j, o in enumerate(n.output):
                if o == last.input[0]:
                    n.output[j] = "plate"
        g.node.remove(last)
    outs = [copy.deepcopy(o) for o in g.output if o.name == "plate"]
    del g.output[:]
    g.output.extend(outs)
    prune(g, ["plate"])
    del g.value_info[:]
    onnx.save(m, dst)


def rewrite_det(src, dst):
    m = onnx.load(src)
    g = m.graph
    ini = {i.name: nh.to_array(i) for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    drop, replace, new_inits = set(), {}, []
    for n in g.node:
        # DynamicQuantizeLinear -> ConvInteger -> Cast -> Mul(scale) becomes one float Conv
        # with de-quantised weights; activations stay float.
        if n.op_type != "ConvInteger":
            continue
        x = producer[n.input[0]].input[0]
        cast = consumers[n.output[0]][0]
        mul = consumers[cast.output[0]][0]
        scale = [i for i in mul.input if i != cast.output[0]][0]
        wscale = [ini[i] for i in producer[scale].input if i in ini][0].astype(np.float32)
        wq = ini[n.input[1]].astype(np.float32)
        wzero = ini[n.input[3]].astype(np.float32)
        if wzero.ndim == 1:
            wzero = wzero.reshape(-1, 1, 1, 1)
        if wscale.ndim == 1:
            wscale = wscale.reshape(-1, 1, 1, 1)
        wname = n.input[1] + "_deq"
        new_inits.append(nh.from_array(((wq - wzero) * wscale).astype(np.float32), wname))
        conv = oh.make_node("Conv", [x, wname], [mul.output[0]])
        conv.attribute.extend(copy.deepcopy(n.attribute))
        replace[id(n)] = conv
        drop |= {id(cast), id(mul)}
    nodes = [replace.get(id(n), n) for n in g.node if id(n) not in drop]
    del g.node[:]
    g.node.extend(nodes)
    g.initializer.extend(new_inits)
    # Cut before DFL decoding and NMS (not importable); the caller decodes the raw heads.
    prune(g, DET_HEADS)
    scalars_to_1d(g)
    vi = {v.name: v for v in shape_inference.infer_shapes(m).graph.value_info}
    del g.output[:]
    g.output.extend([vi[h] for h in DET_HEADS])
    del g.value_info[:]
    onnx.save(m, dst)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: make_cv46_models.py CCT_ONNX YOLO_ONNX OUTDIR")
    rewrite_ocr(sys.argv[1], sys.argv[3] + "/" + OCR_OUT)
    rewrite_det(sys.argv[2], sys.argv[3] + "/" + DET_OUT)
