"""ONNX's reproducer, for onnxruntime and onnx-reference, as backends/onnx_models.py builds the
model: one Conv or ConvTranspose node (opset 22) with the canonical pads as [top, left, bottom,
right]; an output_padding of at least the stride, which ONNX Runtime refuses, folded into the end
pad and zero rows appended to x. onnxruntime runs it in an InferenceSession on the CPU;
onnx-reference checks it with onnx.checker (full_check) and runs onnx.reference's evaluator, one
group-1 ConvTranspose per group (its grouped ConvTranspose is wrong, and the adapter avoids it).
No gradients (a model runs inference only) and no loops (a graph has no eager tensors)."""
from . import GRADS, LOOPS

MODEL = '''

def model(op, arrays, shape, **attributes):
    """One `op` node from the named arrays to y of the given shape (the checker wants it; None: unknown)."""
    inputs = [helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
              for name, a in arrays.items()]
    output = helper.make_tensor_value_info("y", helper.np_dtype_to_tensor_dtype(arrays["x"].dtype), shape)
    graph = helper.make_graph([helper.make_node(op, list(arrays), ["y"], **attributes)], "repro", inputs, [output])
    opsets = [helper.make_opsetid("", 22)]
    # the lowest IR version opset 22 needs: ONNX Runtime before 1.32 refuses the onnx package's newest
    return helper.make_model(graph, opset_imports=opsets, ir_version=helper.find_min_ir_version_for(opsets))
'''

RUN = {
    "onnxruntime": '''

def run(built, arrays):
    session = ort.InferenceSession(built.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(["y"], arrays)[0]
''',
    "onnx-reference": '''

def run(built, arrays):
    onnx.checker.check_model(built, full_check=True)
    return ReferenceEvaluator(built).run(["y"], arrays)[0]
'''}


def imports(backend: str) -> str:
    if backend == "onnxruntime":
        return "import onnxruntime as ort\nfrom onnx import helper"
    return "import onnx\nfrom onnx import helper\nfrom onnx.reference import ReferenceEvaluator"


def version(backend: str) -> str:
    return '"onnxruntime " + ort.__version__' if backend == "onnxruntime" else '"onnx.reference of onnx " + onnx.__version__'


def arrays(names=("x", "w", "b")) -> str:
    return "{" + ", ".join(f'"{n}": {n}' for n in names[:2]) + "}" + ' | ({"b": b} if b is not None else {})'


def code(backend: str, case, check: str, p) -> str | None:
    if check in GRADS or check in LOOPS:
        return None
    from backends.onnx_models import conv_attributes, conv_transpose_attributes  # imports onnx: only here
    text = MODEL + RUN[backend] + "\n"
    out = (case.x_shape[0], case.out_channels, *p.out_hw)
    if check == "conv2d":
        return text + f'got = {{"y": run(model("Conv", {arrays()}, {out}, **{conv_attributes(p)}), {arrays()})}}'
    attributes, zero_rows = conv_transpose_attributes(p)
    if any(zero_rows):
        text += (f"x = np.pad(x, ((0, 0), (0, 0), (0, {zero_rows[0]}), (0, {zero_rows[1]})))"
                 "  # output_padding >= stride, folded (the truth above used x itself)\n")
    if backend == "onnx-reference" and p.groups > 1:
        part_shape = (out[0], out[1] // p.groups, *out[2:])
        text += (f"cg, og, one = x.shape[1] // {p.groups}, w.shape[1], {{**{attributes}, 'group': 1}}\n"
                 "parts = [{'x': x[:, g * cg:(g + 1) * cg], 'w': w[g * cg:(g + 1) * cg]}"
                 " | ({'b': b[g * og:(g + 1) * og]} if b is not None else {})"
                 f" for g in range({p.groups})]\n"
                 f'got = {{"y": np.concatenate([run(model("ConvTranspose", part, {part_shape}, **one), part) '
                 'for part in parts], axis=1)}')
        return text
    return text + f'got = {{"y": run(model("ConvTranspose", {arrays()}, {out}, **{attributes}), {arrays()})}}'
