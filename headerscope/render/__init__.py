"""Renderers: each turns a Report into text; none computes a verdict."""
