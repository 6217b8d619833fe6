"""The built-in prompt templates. This folder ships inside the wheel as `voiceblog.prompts`;
a workspace's own prompts/ folder overrides any template in it by file name."""
