"""From training pairs to tensors: token ids with the answer marked, left-padded batches, and
the loss on answer tokens only. The prompt is rendered by the one chat renderer, exactly as the
runtime sends it to llama.cpp."""

from __future__ import annotations

from typing import Any

from protege.students.base import BaseModel
from protege.students.chat import CHATML_TEMPLATE, chat_template_of, render_chat


def tokenize_pairs(pairs, tokenizer, base: BaseModel, max_length: int):
    """Token ids and answer lengths of each pair; pairs longer than max_length are skipped.

    The prompt is tokenized on its own, exactly as the runtime sends it to llama.cpp, and the
    answer ends with the end-of-turn token the runtime stops on.
    """
    template = chat_template_of(base.gguf_path) if base.gguf_path else _hf_template(tokenizer)
    end_id = end_of_turn_id(tokenizer)
    examples, skipped = [], 0
    for pair in pairs:
        prompt_ids = tokenizer.encode(render_chat(template, pair.prompt), add_special_tokens=False)
        answer_ids = tokenizer.encode(pair.answer, add_special_tokens=False) + [end_id]
        if len(prompt_ids) + len(answer_ids) > max_length:
            skipped += 1
            continue
        examples.append((prompt_ids + answer_ids, len(answer_ids)))
    return examples, skipped


def end_of_turn_id(tokenizer) -> int:
    """The token that closes an assistant turn: ChatML's ``<|im_end|>``, else EOS."""
    im_end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    if isinstance(im_end, int) and im_end != tokenizer.unk_token_id:
        return im_end
    return tokenizer.eos_token_id


def collate(batch: list[tuple[list[int], int]], pad_id: int, device=None) -> dict[str, Any]:
    """Left-pad a batch so every answer ends at the last position."""
    import torch

    width = max(len(ids) for ids, _ in batch)
    keep = max(n for _, n in batch) + 1  # positions whose logits predict answer tokens
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    targets = torch.full((len(batch), keep - 1), -100, dtype=torch.long)
    for row, (ids, n_answer) in enumerate(batch):
        input_ids[row, width - len(ids) :] = torch.tensor(ids)
        mask[row, width - len(ids) :] = 1
        targets[row, keep - 1 - n_answer :] = torch.tensor(ids[-n_answer:])
    positions = (mask.cumsum(1) - 1).clamp(min=0)
    tensors = {"input_ids": input_ids, "attention_mask": mask, "position_ids": positions}
    tensors["targets"] = targets
    if device is not None:
        tensors = {name: t.to(device) for name, t in tensors.items()}
    return tensors | {"keep": keep}


def answer_loss(model, batch: dict[str, Any]):
    """Mean cross-entropy over all answer tokens in the batch (what is trained), and each pair's
    own mean (detached; it steers ``focus``). Logits are computed for the answer span only."""
    import torch.nn.functional as F

    out = model(
        input_ids=batch["input_ids"],
        attention_mask=batch["attention_mask"],
        position_ids=batch["position_ids"],
        logits_to_keep=batch["keep"],
        use_cache=False,
    )
    logits = out.logits[:, :-1].float()  # the last position predicts past the end
    targets = batch["targets"]
    token_loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), reduction="none")
    token_loss = token_loss.view(targets.shape)
    counted = (targets != -100).sum(1)
    per_pair = token_loss.detach().sum(1) / counted.clamp(min=1)
    return token_loss.sum() / counted.sum().clamp(min=1), per_pair


def _hf_template(tokenizer) -> str:
    return getattr(tokenizer, "chat_template", None) or CHATML_TEMPLATE
