#!/usr/bin/env python3
"""Exports a PyTorch `nn.Sequential` CNN for cnn-classroom: a safetensors file of the model's own
`state_dict` (PyTorch names and layout, tensors unchanged) that carries the JSON manifest in its
metadata (key "cnn-classroom-manifest"), so that one file is the whole model to open or upload,
and the same manifest beside it as `model.json` to read.

    python scripts/export_pytorch.py model.pt --classes cat,dog,bird --input-shape 3,32,32 --out my_model/

`model.pt` is a whole model saved with `torch.save(model, "model.pt")`. From Python:

    from export_pytorch import export
    export(model, input_shape=(1, 28, 28), class_names=[...], out_dir="my_model")

Needs only `torch` and `safetensors` on the user's side; the product itself never runs Python.
Supported layers: Conv2d (square kernel up to 7, stride, zero padding), ReLU, MaxPool2d,
AvgPool2d, Flatten, Linear, and an optional final Softmax. Anything else is refused with the
layer's index and what to change, so a model that exports is a model the product can show.
"""

import argparse
import json
import os
import sys

MANIFEST_FORMAT = "cnn-classroom-model"
MANIFEST_VERSION = 1
MANIFEST_KEY = "cnn-classroom-manifest"
MAX_KERNEL = 7


class ExportError(Exception):
    """A model the product cannot show, with the reason in words."""


def _square(value, what, index, kind):
    """An int, or a pair of equal ints, as one int."""
    if isinstance(value, int):
        return value
    if isinstance(value, (tuple, list)) and len(value) == 2 and value[0] == value[1]:
        return int(value[0])
    raise ExportError(f"layer {index} ({kind}) has {what} {value}; only square {what}s are supported")


def _layer_entry(index, module, nn):
    """The manifest entry for one module of the Sequential."""
    name = str(index)
    kind = type(module).__name__
    if isinstance(module, nn.Conv2d):
        kernel = _square(module.kernel_size, "kernel", index, kind)
        stride = _square(module.stride, "stride", index, kind)
        padding = module.padding
        if isinstance(padding, str):
            raise ExportError(f"layer {index} (Conv2d) uses padding={padding!r}; give the padding as a number")
        padding = _square(padding, "padding", index, kind)
        if _square(module.dilation, "dilation", index, kind) != 1 or module.groups != 1:
            raise ExportError(f"layer {index} (Conv2d) uses dilation or groups; only plain convolutions are supported")
        if module.padding_mode != "zeros":
            raise ExportError(f"layer {index} (Conv2d) pads with {module.padding_mode!r}; only zero padding is supported")
        if not 1 <= kernel <= MAX_KERNEL:
            raise ExportError(f"layer {index} (Conv2d) has a {kernel}×{kernel} kernel; use 1 to {MAX_KERNEL}")
        if module.bias is None:
            raise ExportError(f"layer {index} (Conv2d) has no bias; create it with bias=True (the views show the bias)")
        return {"name": name, "kind": "conv2d", "kernel": kernel, "stride": stride, "padding": padding}
    if isinstance(module, nn.ReLU):
        return {"name": name, "kind": "relu"}
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        kernel = _square(module.kernel_size, "kernel", index, kind)
        stride = _square(module.stride if module.stride is not None else kernel, "stride", index, kind)
        if _square(module.padding, "padding", index, kind) != 0 or module.ceil_mode:
            raise ExportError(f"layer {index} ({kind}) uses padding or ceil_mode; pool without them")
        if isinstance(module, nn.MaxPool2d):
            if _square(module.dilation, "dilation", index, kind) != 1 or module.return_indices:
                raise ExportError(f"layer {index} (MaxPool2d) uses dilation or return_indices; pool without them")
            return {"name": name, "kind": "max_pool2d", "kernel": kernel, "stride": stride}
        if module.divisor_override is not None:
            raise ExportError(f"layer {index} (AvgPool2d) uses divisor_override; average over the window")
        return {"name": name, "kind": "avg_pool2d", "kernel": kernel, "stride": stride}
    if isinstance(module, nn.Flatten):
        if module.start_dim != 1 or module.end_dim != -1:
            raise ExportError(f"layer {index} (Flatten) flattens dims {module.start_dim}..{module.end_dim}; use nn.Flatten()")
        return {"name": name, "kind": "flatten"}
    if isinstance(module, nn.Linear):
        if module.bias is None:
            raise ExportError(f"layer {index} (Linear) has no bias; create it with bias=True")
        return {"name": name, "kind": "linear"}
    if isinstance(module, nn.Softmax):
        return {"name": name, "kind": "softmax"}
    raise ExportError(
        f"layer {index} is a {kind}, which cnn-classroom cannot show; use Conv2d, ReLU, MaxPool2d, "
        "AvgPool2d, Flatten, Linear and Softmax"
    )


def manifest_for(model, input_shape, class_names):
    """The manifest (a dict) of an `nn.Sequential`; raises ExportError if it cannot be shown."""
    from torch import nn

    if not isinstance(model, nn.Sequential):
        raise ExportError(f"the model is a {type(model).__name__}; export an nn.Sequential")
    if len(input_shape) != 3:
        raise ExportError(f"the input shape {input_shape} is not channels,height,width")
    layers = [_layer_entry(index, module, nn) for index, module in enumerate(model)]
    if not layers or layers[-1]["kind"] != "softmax":
        # The product shows probabilities; a model trained with CrossEntropyLoss has no softmax.
        layers.append({"name": "softmax", "kind": "softmax"})
    return {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "input_shape": [int(v) for v in input_shape],
        "class_names": list(class_names),
        "layers": layers,
    }


def export(model, input_shape, class_names, out_dir, stem="model"):
    """Writes `<out_dir>/<stem>.safetensors` (the model, manifest inside) and `<out_dir>/<stem>.json`
    (the manifest alone); returns both paths.

    The model is checked by a forward pass of a zero picture, so the class count and every shape
    agree before anything is written."""
    import torch
    from safetensors.torch import save_file

    manifest = manifest_for(model, input_shape, class_names)
    model = model.eval()
    with torch.no_grad():
        try:
            out = model(torch.zeros(1, *manifest["input_shape"]))
        except RuntimeError as error:
            raise ExportError(f"the model does not run on a {tuple(input_shape)} picture: {error}") from error
    if tuple(out.shape) != (1, len(class_names)):
        raise ExportError(f"the model gives {tuple(out.shape[1:])} outputs for {len(class_names)} class names")
    tensors = {name: tensor.detach().to(torch.float32).contiguous() for name, tensor in model.state_dict().items()}
    os.makedirs(out_dir, exist_ok=True)
    manifest_path = os.path.join(out_dir, f"{stem}.json")
    weights_path = os.path.join(out_dir, f"{stem}.safetensors")
    with open(manifest_path, "w", encoding="utf-8") as file:
        json.dump(manifest, file, indent=2, ensure_ascii=False)
        file.write("\n")
    save_file(tensors, weights_path, metadata={MANIFEST_KEY: json.dumps(manifest, ensure_ascii=False)})
    return manifest_path, weights_path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="a whole nn.Sequential saved with torch.save(model, path)")
    parser.add_argument("--classes", required=True, help="class names, comma-separated, in output order")
    parser.add_argument("--input-shape", required=True, help="channels,height,width, e.g. 1,28,28")
    parser.add_argument("--out", required=True, help="folder to write model.json and model.safetensors to")
    args = parser.parse_args(argv)
    import torch

    model = torch.load(args.model, map_location="cpu", weights_only=False)
    try:
        shape = [int(v) for v in args.input_shape.split(",")]
        paths = export(model, shape, [c.strip() for c in args.classes.split(",")], args.out)
    except (ExportError, ValueError) as error:
        print(f"export_pytorch: {error}", file=sys.stderr)
        return 1
    print("wrote " + " and ".join(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
